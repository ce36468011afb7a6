// A complete SSE server on one process: open http://127.0.0.1:3000 in two tabs.
// Run from the repository root after `npm run demo` (or `pnpm build`):
//   node packages/core/examples/basic-server.mjs
import http from 'node:http';
import { createHub } from '@sse/core';

const hub = createHub({ keepAliveMs: 15_000 });
hub.on('error', (error) => console.error('[hub]', error.message));

const page = `<!doctype html><meta charset="utf-8"><title>@sse/core example</title>
<style>body{font:16px system-ui;max-width:40rem;margin:2rem auto}#log{list-style:none;padding:0}#log li{padding:.25rem 0;border-bottom:1px solid #eee}</style>
<h1>@sse/core example</h1><p>State: <b id="state">connecting</b></p>
<form id="f"><input id="t" placeholder="Say something" autocomplete="off" maxlength="500"> <button>Send</button></form>
<ul id="log"></ul>
<script>
const log = document.getElementById('log'), state = document.getElementById('state');
const source = new EventSource('/events');
source.onopen = () => { state.textContent = 'open'; };
source.onerror = () => { state.textContent = 'reconnecting'; };
const show = (text) => { const li = document.createElement('li'); li.textContent = text; log.prepend(li); };
source.addEventListener('say', (e) => show(JSON.parse(e.data).text));
source.addEventListener('tick', (e) => { document.title = 'tick ' + JSON.parse(e.data); });
source.addEventListener('sse-reset', () => show('(some messages could not be recovered)'));
document.getElementById('f').onsubmit = async (e) => {
  e.preventDefault(); const t = document.getElementById('t');
  await fetch('/say', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: t.value }) });
  t.value = '';
};
</script>`;

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/events') {
    await hub.handle(req, res, { rooms: ['lobby'] });
  } else if (req.method === 'POST' && url.pathname === '/say') {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 4096) return res.writeHead(413).end();
    }
    const text = String(JSON.parse(body || '{}').text ?? '').slice(0, 500);
    const { id } = await hub.publish({ to: { room: 'lobby' }, event: 'say', data: { text } });
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
  } else if (url.pathname === '/stats') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(hub.stats(), null, 2));
  } else {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  }
});

const tick = setInterval(
  () => void hub.publish({ event: 'tick', data: Date.now() }).catch(() => {}),
  5000,
);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => console.log(`listening on http://${host}:${port}`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    clearInterval(tick);
    server.close();
    await hub.shutdown({ graceMs: 2000 });
    process.exit(0);
  });
}
