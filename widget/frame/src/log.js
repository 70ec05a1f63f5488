// The message list: rendering server messages and pending sends, merging what the server says
// by id, reactions, the unread count and the notes of a resolved or reopened conversation.
import { call, withGuest } from './api.js';
import { nearBottom, node, ui } from './dom.js';
import { seen, setSeen, showing, toParent } from './host.js';
import { intlLocale, t } from './i18n.js';

export const byId = new Map(); // String(message id) -> {message, node}
export const outbox = []; // unsent messages, sent in order: {clientId, text, node, failed}
export let unread = 0;
// What a failed send's Retry button does (the composer's pump, wired by main.js).
let retry = () => {};
export const onRetry = (fn) => { retry = fn; };

// Time only for today, else with the date, in the chat's language.
function timeText(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const options = { hour: 'numeric', minute: '2-digit' };
  if (date.toDateString() !== new Date().toDateString()) Object.assign(options, { month: 'short', day: 'numeric' });
  return new Intl.DateTimeFormat(intlLocale(), options).format(date);
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

export function renderMessage(m, item = node('li')) {
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
  if (m.id && m.id === seenOn) meta.append(node('span', 'seen', t.seen));
  item.append(meta);
  return item;
}

// Read receipts: "Seen" under the visitor's newest message the team has read (agentRead: the
// admins' marker, from the history and from 'read' events); we tell the team what the visitor
// has read (POST read) when a reply is on screen.
let agentRead = 0;
let seenOn = null;
let readSent = 0;
export function setAgentRead(id) {
  agentRead = Math.max(agentRead, Number(id) || 0);
  // A reply tells it too: whatever came before the team's newest message was read.
  let bound = agentRead;
  for (const { message } of byId.values()) if (message.author !== 'guest') bound = Math.max(bound, Number(message.id) || 0);
  let next = null;
  for (const { message } of byId.values()) {
    if (message.author === 'guest' && Number(message.id) <= bound && (!next || Number(message.id) > Number(next))) next = message.id;
  }
  if (next === seenOn) return;
  const old = byId.get(seenOn);
  seenOn = next;
  if (old) renderMessage(old.message, old.node);
  const now = byId.get(next);
  if (now) renderMessage(now.message, now.node);
}

export function renderPending(entry) {
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
      retry();
    });
    meta.append(retry);
  } else {
    meta.append(node('span', null, t.sending));
  }
  item.append(bubble, meta);
}

/** Draws every message and pending send again (a change of language). */
export function renderAll() {
  for (const { message, node: item } of byId.values()) renderMessage(message, item);
  for (const entry of outbox) renderPending(entry);
}

// The site erased this visitor's data (server API): nothing it said or was told stays on screen.
export function clearMessages() {
  for (const { node: item } of byId.values()) item.remove();
  byId.clear();
}

// Adds or updates a server message; returns true when it is new. `old`: from an older page, so
// the log does not scroll (the caller keeps the visitor's place).
export function upsert(m, { announce = true, old = false } = {}) {
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
  setAgentRead(0);
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

// Remembers (in the host page, through the loader) that everything shown so far has been seen.
export function markSeen() {
  let newest = 0;
  for (const id of byId.keys()) newest = Math.max(newest, Number(id) || 0);
  if (newest > (seen || 0)) {
    setSeen(newest);
    toParent('seen', { id: newest });
  }
  let reply = 0;
  for (const { message } of byId.values()) if (message.author !== 'guest') reply = Math.max(reply, Number(message.id) || 0);
  if (reply > readSent && showing()) {
    readSent = reply;
    withGuest(() => call('POST', 'read', { upToMessageId: reply })).catch(() => {});
  }
}

export function setUnread(count) {
  if (count === unread) return;
  unread = count;
  // The badge shows the frame's digits (Persian ones on a Persian chat), formatted here so the
  // loader stays small.
  const digits = (n) => n.toLocaleString(intlLocale());
  toParent('unread', { count, label: count > 9 ? `${digits(9)}+` : digits(count) });
}

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

// A resolved or reopened conversation is shown live as a note in the log (announced by its live
// region), once per change; the history holds no such notes.
export let conversationStatus = null;
export function noteStatus(status) {
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
