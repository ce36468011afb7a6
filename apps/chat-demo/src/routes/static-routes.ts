import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type IRouter } from 'express';

// The page imports @sse/client's built ESM file as is (one file, no imports of its own), so
// the demo needs no bundler. Resolved from this package, wherever pnpm put the client.
const CLIENT_ESM = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@sse/client')),
  'index.mjs',
);

/**
 * The page: `GET /vendor/sse-client.js` (the `@sse/client` module) and the files of
 * `publicDir`, with `index.html` for `/`.
 * @param app - the express app to add the routes to; after the API routes.
 * @param publicDir - the folder of the page's files.
 */
export function addStaticRoutes(app: IRouter, publicDir: string): void {
  app.get('/vendor/sse-client.js', (_req, res, next) => {
    res.sendFile(
      CLIENT_ESM,
      { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } },
      (error) => {
        if (error) next(error);
      },
    );
  });
  app.use(express.static(publicDir, { index: 'index.html', maxAge: 0 }));
}
