// Live updates: the history pages, the event stream (read with the parser the panel and the
// tests use) and the polling fallback.
import { eventStreamParser } from '../../../shared-js/event-stream.js';
import { API, HttpError, call, guest, newGuest, persist, withGuest } from './api.js';
import { setStatus, sleep, ui } from './dom.js';
import { siteKey } from './host.js';
import { t } from './i18n.js';
import { byId, clearMessages, noteStatus, setAgentRead, upsert } from './log.js';
import { applyConfig, applyPresence, config } from './settings.js';

const POLL_MS = 4000;
let lastEventId = null; // SSE position: from the history answer, then from each event
let older = null; // the next older history page: {before: oldest id shown, more: bool}
let loadingOlder = false;

const historyPath = (before) => (before ? `messages?before=${encodeURIComponent(before)}` : 'messages');

// The newest page of the history; when messages are shown already (a reset, a new stream), pages
// back until it meets them, so a gap of more than a page is filled too.
export async function loadHistory(announce) {
  const had = byId.size > 0;
  let before = null;
  for (;;) {
    const { json } = await persist('load', () => withGuest(() => call('GET', historyPath(before))));
    const messages = json.messages || [];
    const meets = messages.some((m) => byId.has(String(m.id)));
    for (const m of messages) upsert(m, { announce, old: before !== null });
    // Events after this id are exactly what the newest page does not hold yet.
    if (before === null && json.lastEventId != null) lastEventId = String(json.lastEventId);
    if (before === null) setAgentRead(json.agentReadUpTo);
    if (!had) older = { before: messages.length ? messages[0].id : null, more: !!json.hasMore };
    if (!had || meets || !json.hasMore || !messages.length) break;
    before = messages[0].id;
  }
  if (!byId.size) ui.empty.hidden = false;
}

// The page before the oldest message shown, when the visitor scrolls to the top. The visitor
// keeps their place: the distance from the bottom is the same after the insert.
export async function loadOlder() {
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
export function fillLog() {
  if (ui.log.clientHeight > 0 && ui.log.scrollHeight <= ui.log.clientHeight) loadOlder();
}

// Server-sent events read with fetch, so the token stays in a header. Falls back to polling
// when the server has no event stream.
export async function listen() {
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

// "Agent is typing…": shown on a typing event (an ephemeral one, no id), gone after 5 s without
// another or when the agent's message arrives.
let typingTimer;
export function showTyping(on) {
  clearTimeout(typingTimer);
  ui.typing.hidden = !on;
  ui.typing.textContent = on ? t.typing : '';
  if (on) typingTimer = setTimeout(() => showTyping(false), 5000);
}

function applyEvent(type, payload) {
  if (!payload) return;
  if (type === 'typing') {
    if (payload.from === 'agent') showTyping(true);
  } else if (type === 'message') {
    const message = payload.message || payload;
    if (message.author !== 'guest') showTyping(false);
    upsert(message);
  } else if (type === 'reaction') {
    const known = byId.get(String(payload.messageId));
    const value = 'value' in payload ? payload.value : payload.reaction;
    if (known) upsert({ ...known.message, reaction: value === undefined ? null : value });
  } else if (type === 'read') {
    if (payload.by === 'agent') setAgentRead(payload.upToMessageId);
  } else if (type === 'status') {
    noteStatus(payload.status);
  } else if (type === 'erased') {
    clearMessages();
  } else if (type === 'presence') {
    applyPresence(payload.state, payload.awayText);
  } else if (type === 'config') {
    applyConfig({ ...config, ...payload });
  } else if (type === 'reset') {
    // Events we had not seen were pruned (retention): the history holds what they said. upsert
    // merges it by id; the stream goes on after this event's id, the conversation's newest.
    loadHistory(true).catch(() => {});
  }
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
