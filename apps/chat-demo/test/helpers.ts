import { type ChatServer, startChatServer } from '../src/app.js';
import { readConfig } from '../src/config.js';

/** Starts an in-process chat server on a free port with the in-process bus. */
export function startTestServer(env: NodeJS.ProcessEnv = {}): Promise<ChatServer> {
  return startChatServer(
    readConfig({ PORT: '0', HOST: '127.0.0.1', SESSION_SECRET: 'test-secret', ...env }),
    () => {},
  );
}

/** POSTs JSON; returns status, parsed body and headers. */
export async function postJson(
  url: string,
  body: unknown,
  cookie?: string,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON.
  }
  return { status: response.status, json, headers: response.headers };
}

/** Logs in and returns the `Cookie` header value for later requests. */
export async function login(base: string, name: string): Promise<string> {
  const { status, headers } = await postJson(`${base}/login`, { name });
  if (status !== 200) throw new Error(`login as ${name} answered ${status}`);
  const setCookie = headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0]!;
}
