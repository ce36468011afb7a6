import type http from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleErrors, notFound } from '../src/http/error-handlers.js';
import { bodyField, parseJson, requireJson } from '../src/http/json-body.js';
import { listen } from '../src/http/listen.js';
import { postJson } from './helpers.js';

// The plumbing on its own, without a hub: a tiny app whose routes fail on purpose.
let server: http.Server;
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  const app = express();
  app.post('/echo', requireJson, parseJson, (req, res) => {
    res.json({ name: bodyField(req, 'name') ?? null });
  });
  app.get('/teapot', (_req, _res, next) =>
    next(Object.assign(new Error('short and stout'), { status: 418, code: 'teapot' })),
  );
  app.get('/broken', () => {
    throw new Error('secret detail');
  });
  app.get('/half-sent', (_req, res, next) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
    next(new Error('failed mid-stream'));
  });
  app.use(notFound);
  app.use(handleErrors((line) => logged.push(line)));
  ({ server, url: base } = await listen(app, 0, '127.0.0.1'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('HTTP plumbing', () => {
  it('reads one field of a JSON body', async () => {
    expect((await postJson(`${base}/echo`, { name: 'alice', other: 1 })).json).toEqual({
      name: 'alice',
    });
    expect((await postJson(`${base}/echo`, [1, 2])).json).toEqual({ name: null });
  });

  it('maps body errors to 415, 400 and 413 with a JSON error', async () => {
    const form = await fetch(`${base}/echo`, { method: 'POST', body: 'name=alice' });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error: 'unsupported_media_type' });
    expect(await postJson(`${base}/echo`, '{"name":')).toMatchObject({
      status: 400,
      json: { error: 'invalid_json' },
    });
    expect(await postJson(`${base}/echo`, '"just a string"')).toMatchObject({
      status: 400,
      json: { error: 'invalid_json' },
    });
    expect(await postJson(`${base}/echo`, { name: 'x'.repeat(17 * 1024) })).toMatchObject({
      status: 413,
      json: { error: 'too_large', message: 'Bodies are limited to 16kb.' },
    });
  });

  it('keeps a 4xx error as it is, and hides and logs a 5xx', async () => {
    const teapot = await fetch(`${base}/teapot`);
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ error: 'teapot', message: 'short and stout' });
    expect(logged).toEqual([]);
    const broken = await fetch(`${base}/broken`);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({
      error: 'internal',
      message: 'The server could not do that; try again.',
    });
    expect(logged).toEqual(['request failed: secret detail']);
  });

  it('ends an answer that had started instead of sending JSON after it', async () => {
    const response = await fetch(`${base}/half-sent`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('partial');
  });

  it('answers 404 in JSON for an unknown path', async () => {
    const response = await fetch(`${base}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'No such route.' });
  });
});
