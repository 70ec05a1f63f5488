/*
 * edgechat frame: the chat itself, served from the chat server's origin inside the host page's
 * iframe (or opened on its own). It talks to the host page's loader only by postMessage and to the
 * external API with the site key and the guest's bearer token in headers. All user text is rendered
 * with textContent. No inline scripts or styles: the frame runs under a strict CSP.
 */
import { eventStreamParser } from '../../shared-js/event-stream.js';

(() => {
  const PROTOCOL = 1;
  const API = '/api/v1/external/';
  const INIT_TIMEOUT_MS = 3000;
  const POLL_MS = 4000;
  const UNLOCK_CHECK_MS = 10000;

  const STRINGS = {
    en: {
      title: 'Chat',
      close: 'Close chat',
      messages: 'Messages',
      message: 'Message',
      placeholder: 'Type a message…',
      send: 'Send',
      empty: 'Ask us anything. We usually reply in a few minutes.',
      you: 'You',
      agent: 'Agent',
      sending: 'Sending…',
      notSent: 'Not sent.',
      retry: 'Retry',
      like: 'Like',
      dislike: 'Dislike',
      offline: "You're offline. Messages will be sent when you're back online.",
      unavailable: 'The chat is temporarily unavailable. Retrying…',
      connecting: 'Connecting…',
      locked: 'The chat is closed at the moment.',
      rateLimited: 'You are sending messages too fast. Please wait a moment.',
      tooLong: 'This message is too long.',
      resolved: 'This conversation was marked as resolved. Write again to reopen it.',
      reopened: 'This conversation is open again.',
    },
    fa: {
      title: 'گفتگو',
      close: 'بستن گفتگو',
      messages: 'پیام‌ها',
      message: 'پیام',
      placeholder: 'پیام خود را بنویسید…',
      send: 'ارسال',
      empty: 'هر سؤالی دارید بپرسید. معمولاً در چند دقیقه پاسخ می‌دهیم.',
      you: 'شما',
      agent: 'پشتیبان',
      sending: 'در حال ارسال…',
      notSent: 'ارسال نشد.',
      retry: 'تلاش دوباره',
      like: 'پسندیدم',
      dislike: 'نپسندیدم',
      offline: 'اتصال اینترنت برقرار نیست. پیام‌ها پس از اتصال دوباره فرستاده می‌شوند.',
      unavailable: 'گفتگو موقتاً در دسترس نیست. دوباره تلاش می‌کنیم…',
      connecting: 'در حال اتصال…',
      locked: 'گفتگو در حال حاضر بسته است.',
      rateLimited: 'پیام‌ها را خیلی سریع می‌فرستید. لطفاً کمی صبر کنید.',
      tooLong: 'این پیام خیلی طولانی است.',
      resolved: 'این گفتگو حل‌شده علامت خورد. برای باز کردن دوباره، پیام بفرستید.',
      reopened: 'این گفتگو دوباره باز شد.',
    },
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    chat: $('chat'), title: $('title'), close: $('close'), log: $('log'), empty: $('empty'),
    status: $('status'), form: $('composer'), input: $('input'), inputLabel: $('input-label'), send: $('send'),
  };
  const siteKey = new URLSearchParams(location.search).get('site') || '';
  const framed = window.parent !== window;

  let t = STRINGS.en;
  let lang = 'en';
  let parentOrigin = null; // learned from the first message window.parent sends us
  let init = null;
  let guest = null;
  let config = { title: '', primaryColor: null, locked: false, lockedMessage: '', locale: null, limits: {} };
  let visible = !framed;
  let unread = 0;
  let seen = null; // id of the newest message the visitor has seen; the host page keeps it
  let lastEventId = null; // SSE position: from the history answer, then from each event
  let older = null; // the next older history page: {before: oldest id shown, more: bool}
  let loadingOlder = false;
  const byId = new Map(); // String(message id) -> {message, node}
  const outbox = []; // unsent messages, sent in order: {clientId, text, node, failed}
  const statuses = new Map(); // reason -> text; the first one is shown

  // ---------------------------------------------------------------- helpers

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function uuid() {
    // crypto.randomUUID exists only in secure contexts; getRandomValues works everywhere.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function node(tag, className, text) {
    const n = document.createElement(tag);
    if (className) n.className = className;
    if (text != null) n.textContent = text; // never innerHTML: every text here may be hostile
    return n;
  }

  // The frame's own copy of the guest, keyed by site and embedding origin. Access may throw
  // (third-party storage blocked) or be partitioned; the host page's copy is the one that counts.
  const storageKey = () => `edgechat:${siteKey}:${parentOrigin || 'top'}`;
  function loadOwnGuest() {
    try {
      const g = JSON.parse(localStorage.getItem(storageKey()));
      return validGuest(g) ? g : null;
    } catch {
      return null;
    }
  }
  function saveOwnGuest(g) {
    try {
      localStorage.setItem(storageKey(), JSON.stringify(g));
    } catch {
      // blocked: the host page keeps the identity
    }
  }
  const validGuest = (g) => !!g && typeof g.guestId === 'string' && typeof g.token === 'string' && g.token.length > 0;

  function toParent(type, fields = {}) {
    if (!framed || !parentOrigin) return;
    window.parent.postMessage({ edgechat: PROTOCOL, type, ...fields }, parentOrigin);
  }

  function setStatus(reason, text) {
    if (text) statuses.set(reason, text);
    else statuses.delete(reason);
    const shown = [...statuses.values()][0];
    ui.status.hidden = !shown;
    ui.status.textContent = shown || '';
  }

  // ---------------------------------------------------------------- API

  class HttpError extends Error {
    constructor(status, body, retryAfter) {
      super(body.message || body.error || `HTTP ${status}`);
      this.status = status;
      this.code = body.error || '';
      this.body = body;
      this.retryAfter = retryAfter;
    }
  }

  async function call(method, path, body, auth = true) {
    const headers = { 'Site-Key': siteKey };
    if (auth && guest) headers.Authorization = `Bearer ${guest.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
    let json = {};
    try {
      json = await res.json();
    } catch {
      // an empty or non-JSON body (a proxy's error page): keep the status
    }
    if (!res.ok) throw new HttpError(res.status, json, retryAfterMs(res));
    return { status: res.status, json };
  }

  function retryAfterMs(res) {
    const s = Number(res.headers.get('Retry-After'));
    return Number.isFinite(s) && s > 0 ? Math.min(s, 600) * 1000 : 0;
  }

  async function newGuest() {
    const { json } = await call('POST', 'guests', {}, false);
    guest = { guestId: json.guestId, token: json.token };
    seen = null;
    saveOwnGuest(guest);
    toParent('guest', { guest });
  }

  // Runs fn with a valid guest; an unknown or expired token gets a fresh guest once.
  async function withGuest(fn) {
    if (!guest) await newGuest();
    try {
      return await fn();
    } catch (e) {
      if (e.status !== 401) throw e;
      await newGuest();
      return fn();
    }
  }

  // Retries transient failures (network, 5xx, 429) forever with capped backoff or Retry-After,
  // showing why: offline, unavailable, or the site's own rate-limit text.
  async function persist(reason, fn) {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await fn();
        setStatus(reason, null);
        return result;
      } catch (e) {
        const limited = e instanceof HttpError && e.status === 429;
        if (e instanceof HttpError && e.status < 500 && !limited) throw e;
        const text = limited ? e.body.message || t.rateLimited : navigator.onLine === false ? t.offline : t.unavailable;
        setStatus(reason, text);
        const backoff = Math.min(30000, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2);
        await sleep(e.retryAfter || (limited ? 5000 : backoff));
      }
    }
  }

  // ---------------------------------------------------------------- rendering

  // Time only for today, else with the date; fa-IR gives Persian digits and the Solar Hijri calendar.
  function timeText(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    const options = { hour: 'numeric', minute: '2-digit' };
    if (date.toDateString() !== new Date().toDateString()) Object.assign(options, { month: 'short', day: 'numeric' });
    return new Intl.DateTimeFormat(lang === 'fa' ? 'fa-IR' : 'en', options).format(date);
  }

  const ICONS = {
    like: 'M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z',
    dislike: 'M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1c-.1.2-.2.5-.2.7v2z',
  };
  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  function renderMessage(m, item = node('li')) {
    item.className = `msg ${m.author === 'guest' || m.author === 'agent' ? m.author : 'system'}`;
    item.replaceChildren();
    if (m.id) item.dataset.id = m.id;
    if (m.author !== 'system') item.append(node('span', 'sr-only', `${m.author === 'guest' ? t.you : t.agent}: `));
    const bubble = node('div', 'bubble', m.text);
    bubble.dir = 'auto';
    item.append(bubble);
    const meta = node('div', 'meta');
    if (m.createdAt) {
      const time = node('time', null, timeText(m.createdAt));
      time.dateTime = m.createdAt;
      meta.append(time);
    }
    if (m.author === 'agent' && m.id) {
      for (const value of ['like', 'dislike']) {
        const button = node('button', `react ${value}`);
        button.type = 'button';
        button.setAttribute('aria-label', t[value]);
        button.setAttribute('aria-pressed', String(m.reaction === value));
        button.append(icon(value));
        button.addEventListener('click', () => react(m.id, value));
        meta.append(button);
      }
    }
    item.append(meta);
    return item;
  }

  function renderPending(entry) {
    const item = entry.node;
    item.className = `msg guest ${entry.failed ? 'failed' : 'pending'}`;
    item.replaceChildren(node('span', 'sr-only', `${t.you}: `));
    const bubble = node('div', 'bubble', entry.text);
    bubble.dir = 'auto';
    const meta = node('div', 'meta');
    if (entry.failed) {
      meta.append(node('span', 'error', entry.error || t.notSent));
      const retry = node('button', 'link-button', t.retry);
      retry.type = 'button';
      retry.addEventListener('click', () => {
        entry.failed = false;
        renderPending(entry);
        pump();
      });
      meta.append(retry);
    } else {
      meta.append(node('span', null, t.sending));
    }
    item.append(bubble, meta);
  }

  function nearBottom() {
    return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
  }

  // Adds or updates a server message; returns true when it is new. `old`: from an older page, so
  // the log does not scroll (the caller keeps the visitor's place).
  function upsert(m, { announce = true, old = false } = {}) {
    if (!m || (typeof m.id !== 'number' && typeof m.id !== 'string') || typeof m.text !== 'string') return false;
    m = { ...m, id: String(m.id) };
    const stick = nearBottom();
    const known = byId.get(m.id);
    if (known) {
      known.message = { ...known.message, ...m };
      renderMessage(known.message, known.node);
      return false;
    }
    const pending = outbox.find((o) => m.clientId && o.clientId === m.clientId);
    let item;
    if (pending) {
      item = pending.node; // the echo of our own send: keep its place
      outbox.splice(outbox.indexOf(pending), 1);
    } else {
      item = node('li');
      insertInOrder(item, m);
    }
    renderMessage(m, item);
    byId.set(m.id, { message: m, node: item });
    ui.empty.hidden = true;
    if (!old && (stick || m.author === 'guest')) ui.log.scrollTop = ui.log.scrollHeight;
    if (announce) {
      toParent('message', { message: { id: m.id, author: m.author, text: m.text, createdAt: m.createdAt } });
      if (showing()) markSeen();
      else if (m.author !== 'guest') setUnread(unread + 1);
    }
    return true;
  }

  function insertInOrder(item, m) {
    // Server messages stay in id order (the order they were stored), before any still-pending sends.
    const firstPending = outbox.length ? outbox[0].node : null;
    let before = firstPending && firstPending.parentNode === ui.log ? firstPending : null;
    for (let n = ui.log.lastElementChild; n; n = n.previousElementSibling) {
      const other = n.dataset.id && byId.get(n.dataset.id);
      if (!other) continue;
      if (Number(other.message.id) < Number(m.id)) break;
      before = n;
    }
    ui.log.insertBefore(item, before);
  }

  const showing = () => visible && document.visibilityState === 'visible';

  // Remembers (in the host page, through the loader) that everything shown so far has been seen.
  function markSeen() {
    let newest = 0;
    for (const id of byId.keys()) newest = Math.max(newest, Number(id) || 0);
    if (newest > (seen || 0)) {
      seen = newest;
      toParent('seen', { id: seen });
    }
  }

  function setUnread(count) {
    if (count === unread) return;
    unread = count;
    // The badge shows the frame's digits (Persian ones on a Persian chat), formatted here so the
    // loader stays small.
    const digits = (n) => n.toLocaleString(lang === 'fa' ? 'fa-IR' : 'en');
    toParent('unread', { count, label: count > 9 ? `${digits(9)}+` : digits(count) });
  }

  // ---------------------------------------------------------------- sending

  let pumping = false;
  async function pump() {
    if (pumping) return;
    pumping = true;
    try {
      let entry;
      while ((entry = outbox.find((o) => !o.failed))) {
        try {
          const { json } = await withGuest(() =>
            persist('send', () => call('POST', 'messages', { text: entry.text, clientId: entry.clientId })),
          );
          // The server reopens a resolved conversation on a guest message without a status event.
          if (conversationStatus === 'resolved') noteStatus('open');
          if (outbox.includes(entry)) upsert(json.message);
          if (outbox.includes(entry)) {
            // the server's copy is already shown (or came back without our clientId): drop ours
            outbox.splice(outbox.indexOf(entry), 1);
            const shown = json.message && byId.get(String(json.message.id));
            if (!shown || shown.node !== entry.node) entry.node.remove();
          }
        } catch (e) {
          entry.failed = true;
          entry.error = e.code === 'site_locked' ? e.message || t.locked : e.code === 'invalid_text' ? t.tooLong : e.message;
          if (e.code === 'site_locked') applyLocked(true, e.message);
          renderPending(entry);
        }
      }
    } finally {
      pumping = false;
    }
  }

  function submit(event) {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text || config.locked) return;
    const max = (config.limits && config.limits.maxMessageLength) || 2000;
    if ([...text].length > max) {
      setStatus('input', t.tooLong);
      return;
    }
    setStatus('input', null);
    const entry = { clientId: uuid(), text, node: node('li'), failed: false };
    outbox.push(entry);
    renderPending(entry);
    ui.log.append(entry.node);
    ui.empty.hidden = true;
    ui.log.scrollTop = ui.log.scrollHeight;
    ui.input.value = '';
    autoGrow();
    pump();
  }

  function autoGrow() {
    ui.input.style.height = 'auto';
    ui.input.style.height = `${Math.min(ui.input.scrollHeight + 2, 120)}px`;
  }

  // ---------------------------------------------------------------- reactions

  async function react(id, value) {
    const known = byId.get(id);
    if (!known) return;
    const before = known.message.reaction || null;
    const next = before === value ? null : value; // same button again clears it
    upsert({ ...known.message, reaction: next });
    try {
      const { json } = await withGuest(() => call('PUT', `messages/${encodeURIComponent(id)}/reaction`, { value: next }));
      if (json && json.message) upsert(json.message);
    } catch {
      upsert({ ...byId.get(id).message, reaction: before });
    }
  }

  // ---------------------------------------------------------------- live updates

  const historyPath = (before) => (before ? `messages?before=${encodeURIComponent(before)}` : 'messages');

  // The newest page of the history; when messages are shown already (a reset, a new stream), pages
  // back until it meets them, so a gap of more than a page is filled too.
  async function loadHistory(announce) {
    const had = byId.size > 0;
    let before = null;
    for (;;) {
      const { json } = await persist('load', () => withGuest(() => call('GET', historyPath(before))));
      const messages = json.messages || [];
      const meets = messages.some((m) => byId.has(String(m.id)));
      for (const m of messages) upsert(m, { announce, old: before !== null });
      // Events after this id are exactly what the newest page does not hold yet.
      if (before === null && json.lastEventId != null) lastEventId = String(json.lastEventId);
      if (!had) older = { before: messages.length ? messages[0].id : null, more: !!json.hasMore };
      if (!had || meets || !json.hasMore || !messages.length) break;
      before = messages[0].id;
    }
    if (!byId.size) ui.empty.hidden = false;
  }

  // The page before the oldest message shown, when the visitor scrolls to the top. The visitor
  // keeps their place: the distance from the bottom is the same after the insert.
  async function loadOlder() {
    if (loadingOlder || !older || !older.more) return;
    loadingOlder = true;
    let loaded = false;
    try {
      const { json } = await withGuest(() => call('GET', historyPath(older.before)));
      const messages = json.messages || [];
      const fromBottom = ui.log.scrollHeight - ui.log.scrollTop;
      for (const m of messages) upsert(m, { announce: false, old: true });
      ui.log.scrollTop = ui.log.scrollHeight - fromBottom;
      older = { before: messages.length ? messages[0].id : older.before, more: !!json.hasMore && messages.length > 0 };
      loaded = true;
    } catch {
      // the next scroll tries again
    }
    loadingOlder = false;
    if (loaded) fillLog();
  }

  // A log too short to scroll cannot reach its top: load older pages until it scrolls (not while
  // hidden, when it has no height).
  function fillLog() {
    if (ui.log.clientHeight > 0 && ui.log.scrollHeight <= ui.log.clientHeight) loadOlder();
  }

  // Server-sent events read with fetch, so the token stays in a header. Falls back to polling
  // when the server has no event stream.
  async function listen() {
    let backoff = 1000;
    for (;;) {
      try {
        const headers = { 'Site-Key': siteKey, Authorization: `Bearer ${guest.token}`, Accept: 'text/event-stream' };
        if (lastEventId) headers['Last-Event-ID'] = lastEventId;
        const res = await fetch(`${API}events`, { headers, credentials: 'omit', cache: 'no-store' });
        if (res.status === 401) {
          await newGuest();
          lastEventId = null;
          continue;
        }
        if (res.status === 404 || res.status === 405 || res.status === 501) return poll();
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        setStatus('live', null);
        backoff = 1000;
        if (lastEventId === null) await loadHistory(true); // anything sent while not connected
        const parser = eventStreamParser(handleEvent);
        const reader = res.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch {
        // network drop: reconnect below
      }
      await sleep(backoff * (0.75 + Math.random() / 2));
      backoff = Math.min(backoff * 2, 30000);
    }
  }

  function handleEvent({ type, data, lastEventId: id }) {
    if (id) lastEventId = id;
    try {
      applyEvent(type, JSON.parse(data));
    } catch {
      // a malformed event is skipped, the stream goes on
    }
  }

  function applyEvent(type, payload) {
    if (!payload) return;
    if (type === 'message') {
      upsert(payload.message || payload);
    } else if (type === 'reaction') {
      const known = byId.get(String(payload.messageId));
      const value = 'value' in payload ? payload.value : payload.reaction;
      if (known) upsert({ ...known.message, reaction: value === undefined ? null : value });
    } else if (type === 'status') {
      noteStatus(payload.status);
    } else if (type === 'config') {
      applyConfig({ ...config, ...payload });
    } else if (type === 'reset') {
      // Events we had not seen were pruned (retention): the history holds what they said. upsert
      // merges it by id; the stream goes on after this event's id, the conversation's newest.
      loadHistory(true).catch(() => {});
    }
  }

  // A resolved or reopened conversation is shown live as a note in the log (announced by its live
  // region), once per change; the history holds no such notes.
  let conversationStatus = null;
  function noteStatus(status) {
    if ((status !== 'resolved' && status !== 'open') || status === conversationStatus) return;
    conversationStatus = status;
    const item = node('li', 'msg system');
    item.dataset.status = status;
    item.append(node('div', 'bubble', status === 'resolved' ? t.resolved : t.reopened));
    const stick = nearBottom();
    ui.log.append(item);
    ui.empty.hidden = true;
    if (stick) ui.log.scrollTop = ui.log.scrollHeight;
  }

  async function poll() {
    for (;;) {
      await sleep(document.visibilityState === 'visible' ? POLL_MS : POLL_MS * 4);
      try {
        const { json } = await withGuest(() => call('GET', 'messages'));
        for (const m of json.messages || []) upsert(m);
        setStatus('live', null);
      } catch (e) {
        if (!(e instanceof HttpError)) setStatus('live', navigator.onLine === false ? t.offline : t.unavailable);
      }
    }
  }

  // ---------------------------------------------------------------- config, language, host

  function pickLang(...candidates) {
    for (const c of candidates) {
      if (typeof c !== 'string' || !c) continue;
      const base = c.toLowerCase().split(/[-_]/)[0];
      if (STRINGS[base]) return base;
    }
    return 'en';
  }

  function applyLanguage() {
    // The snippet's data-locale wins, then the site's configured locale, then the page's language.
    lang = pickLang(init && init.locale, config.locale, init && init.pageLang, framed ? null : navigator.language);
    t = STRINGS[lang];
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'fa' ? 'rtl' : 'ltr';
    ui.close.setAttribute('aria-label', t.close);
    ui.log.setAttribute('aria-label', t.messages);
    ui.inputLabel.textContent = t.message;
    ui.send.setAttribute('aria-label', t.send);
    ui.empty.textContent = t.empty;
    applyTitle();
    applyLocked(config.locked, config.lockedMessage);
    for (const { message, node: item } of byId.values()) renderMessage(message, item);
    for (const entry of outbox) renderPending(entry);
  }

  function applyTitle() {
    const title = config.title || t.title;
    ui.title.textContent = title;
    document.title = title;
  }

  function applyConfig(next) {
    config = next;
    if (/^#[0-9a-f]{3,8}$/i.test(config.primaryColor || '')) {
      document.documentElement.style.setProperty('--accent', config.primaryColor);
      document.documentElement.style.setProperty('--accent-text', readableOn(config.primaryColor));
    }
    const max = config.limits && config.limits.maxMessageLength;
    if (max > 0) ui.input.maxLength = max * 2; // UTF-16 units; the exact count is checked on send
    applyLanguage();
  }

  function readableOn(hex) {
    let h = hex.slice(1);
    if (h.length < 6) h = [...h.slice(0, 3)].map((c) => c + c).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return 0.299 * r + 0.587 * g + 0.114 * b > 160 ? '#111827' : '#ffffff';
  }

  function applyLocked(locked, message) {
    config.locked = !!locked;
    if (message) config.lockedMessage = message;
    ui.input.disabled = config.locked;
    ui.send.disabled = config.locked;
    ui.input.placeholder = config.locked ? '' : t.placeholder;
    setStatus('locked', config.locked ? config.lockedMessage || t.locked : null);
    if (config.locked) watchUnlock();
  }

  // While locked, look at the config now and then so the chat opens again without a reload.
  let unlockTimer = null;
  function watchUnlock() {
    if (unlockTimer) return;
    unlockTimer = setTimeout(async () => {
      unlockTimer = null;
      try {
        const { json } = await call('GET', 'config', undefined, false);
        if (!json.locked) {
          applyConfig({ ...config, ...json });
          pump(); // messages refused while locked stay failed; new ones go out
          return;
        }
      } catch {
        // try again later
      }
      if (config.locked) watchUnlock();
    }, UNLOCK_CHECK_MS);
  }

  function setVisible(next) {
    visible = !!next;
    document.documentElement.dataset.visible = visible; // for styling and tests
    if (visible) {
      setUnread(0);
      markSeen();
      ui.log.scrollTop = ui.log.scrollHeight;
      fillLog();
      if (!config.locked) ui.input.focus();
    }
  }

  // Until the parent's first message names its origin we cannot answer it; that first message is
  // trusted only because it comes from window.parent, and event.origin is set by the browser.
  function waitForInit() {
    if (!framed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), INIT_TIMEOUT_MS);
      window.addEventListener('message', (event) => {
        if (event.source !== window.parent) return;
        if (parentOrigin !== null && event.origin !== parentOrigin) return;
        const m = event.data;
        if (!m || m.edgechat !== PROTOCOL || typeof m.type !== 'string') return;
        if (m.type === 'init' && parentOrigin === null) {
          parentOrigin = event.origin;
          clearTimeout(timer);
          resolve(m);
        } else if (m.type === 'visibility' && parentOrigin !== null) {
          setVisible(m.visible);
        }
      });
    });
  }

  async function start() {
    const configLoad = persist('load', () => call('GET', 'config', undefined, false)).catch((e) => e);
    init = await waitForInit();
    if (init) {
      visible = init.visible !== false;
      ui.close.hidden = init.mode !== 'floating';
    }
    const loaded = await configLoad;
    if (loaded instanceof Error) {
      applyLanguage();
      setStatus('load', loaded.message);
      return;
    }
    applyConfig({ ...config, ...loaded.json });
    guest = init && validGuest(init.guest) ? { guestId: init.guest.guestId, token: init.guest.token } : loadOwnGuest();
    if (guest) {
      saveOwnGuest(guest);
      // The page lost its copy but ours survived (same embedding origin): give it back.
      if (init && !validGuest(init.guest)) toParent('guest', { guest });
    } else {
      await persist('load', newGuest);
    }
    const before = guest.token;
    await loadHistory(false);
    // Replies that came while the visitor was away are unread; a first visit has none.
    if (guest.token === before && init && init.guest && init.guest.token === before && Number(init.guest.seen) > 0) {
      seen = Number(init.guest.seen);
    }
    if (seen === null || showing()) markSeen();
    else setUnread([...byId.values()].filter(({ message }) => message.author === 'agent' && Number(message.id) > seen).length);
    ui.chat.setAttribute('aria-busy', 'false');
    ui.log.scrollTop = ui.log.scrollHeight;
    fillLog();
    toParent('ready', { unread });
    if (visible && !config.locked && framed && init && init.mode === 'floating') ui.input.focus();
    listen();
  }

  ui.form.addEventListener('submit', submit);
  ui.log.addEventListener('scroll', () => {
    if (ui.log.scrollTop < 80) loadOlder();
  }, { passive: true });
  ui.input.addEventListener('input', autoGrow);
  ui.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) submit(event);
  });
  ui.close.addEventListener('click', () => toParent('close'));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && init && init.mode === 'floating') toParent('close');
  });
  document.addEventListener('visibilitychange', () => {
    if (!showing()) return;
    setUnread(0);
    markSeen();
  });
  window.addEventListener('online', () => {
    setStatus('send', null);
    pump();
  });
  window.addEventListener('offline', () => setStatus('send', t.offline));
  start().catch((e) => setStatus('load', e.message || t.unavailable));
})();
