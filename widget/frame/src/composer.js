// Sending: the composer form, the outbox sent in order (each send retried through outages) and
// the text area that grows with its text.
import { call, guest, persist, withGuest } from './api.js';
import { node, setStatus, ui } from './dom.js';
import { t } from './i18n.js';
import { byId, conversationStatus, noteStatus, outbox, renderPending, upsert } from './log.js';
import { applyLocked, config } from './settings.js';

function uuid() {
  // crypto.randomUUID exists only in secure contexts; getRandomValues works everywhere.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

let pumping = false;
export async function pump() {
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

export function submit(event) {
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
  typedAt = 0; // the next keystroke starts a new typing notice at once
  autoGrow();
  pump();
}

// Tells the agent the visitor is typing: at most once per 2.5 s (a sent message starts anew),
// only for a guest that exists
// already (typing never creates one), never retried (it is stale by then).
let typedAt = 0;
export function typed() {
  const now = Date.now();
  if (!guest || config.locked || !ui.input.value.trim() || now - typedAt < 2500) return;
  typedAt = now;
  call('POST', 'typing').catch(() => {});
}

export function autoGrow() {
  ui.input.style.height = 'auto';
  ui.input.style.height = `${Math.min(ui.input.scrollHeight + 2, 120)}px`;
}
