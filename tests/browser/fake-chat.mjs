// An in-memory stand-in for the chat server (edge + worker) and a host page, on one loopback port,
// routed by Host header. It serves the real widget files and the external API contract, with knobs
// to inject the failures the widget must show (503, 429, locked, refused origins). It lets the
// widget's UI states be tested in seconds; tests/browser/widget.test.mjs covers the real stack.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/**
 * Starts the fake. widgetDir: where widget.js and frame/ live (the sources, or a build).
 * Returns {port, chatUrl, hostUrl(name), site, state, reply(text), setLocked(), failNext(), stop()}.
 */
export async function startFakeChat({ chatHost = 'chat.test', widgetDir = join(ROOT, 'widget') } = {}) {
  const site = {
    key: `ek_${randomBytes(12).toString('hex').slice(0, 24)}`,
    title: 'Chat with us',
    primaryColor: '#0f766e',
    locked: false,
    lockedMessage: 'We are closed for the holidays.',
    locale: null,
    origins: [], // filled below with the shop's origin
    rateMessage: 'Slow down please: at most 5 messages a minute.',
  };
  const state = {
    guests: new Map(), // token -> {guestId, messages: []}
    failures: [], // queued {path, method, status, retryAfter, body} consumed by matching requests
    requests: [], // {method, path, origin, auth}
    events: new Set(), // open event streams: {res, guest}
    eventSeq: 0,
    messageSeq: 40,
    eventsEnabled: true,
  };
  let port = 0;

  const json = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const chatOrigin = () => `http://${chatHost}:${port}`;
  const allowed = (origin) => origin === chatOrigin() || site.origins.includes(origin);

  async function serveFile(res, path, extraHeaders = {}) {
    try {
      const body = await readFile(path);
      const ext = path.slice(path.lastIndexOf('.'));
      res.writeHead(200, { 'Content-Type': TYPES[ext] || 'application/octet-stream', 'Cache-Control': 'no-cache', ...extraHeaders });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  }

  function guestOf(req) {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization || '');
    return m ? state.guests.get(m[1]) : undefined;
  }

  function publish(guest, event, data) {
    const id = ++state.eventSeq;
    guest.log = guest.log || [];
    guest.log.push({ id, event, data });
    for (const stream of state.events) {
      if (stream.guest === guest) stream.res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }
  }

  function newMessage(guest, author, text, clientId = null) {
    const message = {
      id: ++state.messageSeq,
      author,
      text,
      createdAt: new Date().toISOString(),
      clientId,
      reaction: null,
    };
    guest.messages.push(message);
    publish(guest, 'message', { message });
    return message;
  }

  async function body(req) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return null;
    }
  }

  async function api(req, res, path) {
    const origin = req.headers.origin;
    const cors = {};
    if (origin) {
      if (!allowed(origin)) return json(res, 403, { error: 'origin_not_allowed', message: 'Origin not allowed.' }, { Vary: 'Origin' });
      Object.assign(cors, { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': 'Retry-After' });
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, POST, PUT',
        'Access-Control-Allow-Headers': 'Site-Key, Authorization, Content-Type, Last-Event-ID',
        'Access-Control-Max-Age': '600',
      });
      return res.end();
    }
    state.requests.push({ method: req.method, path, origin, auth: req.headers.authorization || null });
    if (req.headers['site-key'] !== site.key) return json(res, 401, { error: 'unknown_site', message: 'Unknown site key.' }, cors);
    const failure = state.failures.findIndex((f) => f.path === path && (!f.method || f.method === req.method));
    if (failure >= 0) {
      const f = state.failures.splice(failure, 1)[0];
      const headers = { ...cors };
      if (f.retryAfter) headers['Retry-After'] = String(f.retryAfter);
      return json(res, f.status, f.body || { error: 'unavailable', message: 'Try again.' }, headers);
    }
    if (path === 'config' && req.method === 'GET') {
      return json(res, 200, {
        title: site.title, primaryColor: site.primaryColor, locked: site.locked, lockedMessage: site.lockedMessage,
        locale: site.locale, limits: { maxMessageLength: 2000 },
      }, cors);
    }
    if (path === 'guests' && req.method === 'POST') {
      const token = randomBytes(32).toString('base64url');
      const guest = { guestId: `g_${randomBytes(12).toString('hex').slice(0, 24)}`, messages: [] };
      state.guests.set(token, guest);
      return json(res, 201, { guestId: guest.guestId, token, expiresAt: new Date(Date.now() + 864e5 * 365).toISOString() }, cors);
    }
    const guest = guestOf(req);
    if (!guest) return json(res, 401, { error: 'invalid_token', message: 'Unknown or expired guest token.' }, cors);
    if (path === 'messages' && req.method === 'GET') {
      const lastEventId = guest.log && guest.log.length ? guest.log.at(-1).id : 0;
      return json(res, 200, { conversationId: guest.messages.length ? 7 : null, messages: guest.messages, lastEventId }, cors);
    }
    if (path === 'messages' && req.method === 'POST') {
      const input = await body(req);
      if (!input || typeof input.text !== 'string' || !input.text.trim()) return json(res, 400, { error: 'invalid_message', message: 'Empty message.' }, cors);
      if (site.locked) return json(res, 403, { error: 'site_locked', message: site.lockedMessage }, cors);
      const existing = guest.messages.find((m) => input.clientId && m.clientId === input.clientId);
      if (existing) return json(res, 200, { message: existing }, cors);
      return json(res, 201, { message: newMessage(guest, 'guest', input.text, input.clientId || null) }, cors);
    }
    const reaction = /^messages\/([^/]+)\/reaction$/.exec(path);
    if (reaction && req.method === 'PUT') {
      const input = await body(req);
      const message = guest.messages.find((m) => String(m.id) === reaction[1]);
      if (!message || message.author !== 'agent') return json(res, 404, { error: 'not_found', message: 'No such message.' }, cors);
      if (!input || ![null, 'like', 'dislike'].includes(input.value)) return json(res, 400, { error: 'invalid_reaction', message: 'Bad value.' }, cors);
      message.reaction = input.value;
      publish(guest, 'reaction', { messageId: message.id, reaction: message.reaction });
      return json(res, 200, { messageId: message.id, reaction: message.reaction }, cors);
    }
    if (path === 'events' && req.method === 'GET') {
      if (!state.eventsEnabled) return json(res, 404, { error: 'not_found', message: 'No events.' }, cors);
      res.writeHead(200, { ...cors, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(': hello\n\n');
      const last = Number(req.headers['last-event-id'] || 0);
      for (const e of guest.log || []) {
        if (e.id > last) res.write(`id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
      }
      const stream = { res, guest };
      state.events.add(stream);
      req.on('close', () => state.events.delete(stream));
      return undefined;
    }
    return json(res, 404, { error: 'not_found', message: 'No such route.' }, cors);
  }

  function frameHeaders() {
    const ancestors = site.origins.join(' ') || "'none'";
    return {
      'Content-Security-Policy':
        `default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors ${ancestors}`,
    };
  }

  // Host pages: /?mode=inline|floating&lang=fa&locale=..&csp=1
  function hostPage(url) {
    const mode = url.searchParams.get('mode') || 'inline';
    const lang = url.searchParams.get('lang') || 'en';
    const dir = lang === 'fa' ? 'rtl' : 'ltr';
    const locale = url.searchParams.get('locale');
    const key = url.searchParams.get('key') || site.key;
    const localeAttr = locale ? ` data-locale="${locale}"` : '';
    const manual = url.searchParams.get('manual') === '1';
    const embed = manual
      ? `<iframe id="manual" src="${chatOrigin()}/frame/?site=${key}" title="chat"></iframe>`
      : `<script src="${chatOrigin()}/widget.js" data-site-id="${key}"${localeAttr}></script>\n` +
        (mode === 'inline' ? '<div id="chat-container"></div>' : '');
    return `<!doctype html><html lang="${lang}" dir="${dir}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>shop</title>
<link rel="stylesheet" href="/host.css"></head><body><h1>Shop</h1>
${embed}
</body></html>`;
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      const host = (req.headers.host || '').split(':')[0];
      if (host === chatHost) {
        if (url.pathname === '/widget.js') return serveFile(res, join(widgetDir, 'loader', 'widget.js'));
        if (url.pathname === '/frame/' || url.pathname === '/frame/index.html') {
          return serveFile(res, join(widgetDir, 'frame', 'index.html'), frameHeaders());
        }
        const asset = /^\/frame\/([a-z]+\.(?:js|css))$/.exec(url.pathname);
        if (asset) return serveFile(res, join(widgetDir, 'frame', asset[1]));
        if (url.pathname.startsWith('/api/v1/external/')) return await api(req, res, url.pathname.slice('/api/v1/external/'.length));
        return json(res, 404, { error: 'not_found', message: 'No such route.' });
      }
      if (url.pathname === '/host.css') {
        res.writeHead(200, { 'Content-Type': 'text/css' });
        return res.end('#chat-container{height:520px;max-width:400px;border:1px solid #ddd}#manual{width:400px;height:500px}');
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(hostPage(url));
    } catch (e) {
      res.writeHead(500);
      res.end(String(e));
      return undefined;
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
  site.origins.push(`http://shop.test:${port}`);

  return {
    port,
    site,
    state,
    chatUrl: chatOrigin(),
    hostUrl: (name = 'shop.test', query = '') => `http://${name}:${port}/${query ? `?${query}` : ''}`,
    /** The only guest so far (tests use one visitor per fake). */
    guest: () => [...state.guests.values()].at(-1),
    reply: (guest, text) => newMessage(guest, 'agent', text),
    failNext: (path, status, { method = 'POST', retryAfter = 0, body: errorBody = null, times = 1 } = {}) => {
      for (let i = 0; i < times; i++) state.failures.push({ path, method, status, retryAfter, body: errorBody });
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of state.events) s.res.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
