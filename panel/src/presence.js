// The admin's availability: online while this panel is open and the admin active, away or
// offline by hand (the choice kept in this browser), away by itself after the worker's idle time.
// Every beatSeconds the panel tells the worker the chosen state and the time since the last
// input; the worker keeps it in Redis with a TTL, so a closed tab ends it by itself.
import { api } from './api.js';
import { session } from './app.js';
import { el } from './dom.js';
import { t } from './i18n.js';

const KEY = 'ec-presence';
const STATES = ['online', 'away', 'offline'];
let chosen = STATES.includes(localStorage.getItem(KEY)) ? localStorage.getItem(KEY) : 'online';
let shown = null; // what the worker said the admin shows now
let lastInput = Date.now();
let beatMs = 15000;
let idleMs = 300000;
let timer = null;
let running = false;

function render() {
  const select = document.getElementById('presence');
  if (select) select.value = chosen;
  const label = document.getElementById('presence-shown');
  if (label) {
    label.textContent = shown ? t(`presence_${shown}`) : '';
    label.dataset.state = shown || '';
  }
}

async function beat() {
  clearTimeout(timer);
  if (!running || !session.me) return;
  try {
    const r = await api('POST', 'presence', { state: chosen, idleMs: Math.min(Date.now() - lastInput, 86400000) });
    beatMs = Math.max(1000, r.beatSeconds * 1000);
    idleMs = r.idleSeconds * 1000;
    shown = r.state;
  } catch {
    shown = null; // unknown until the next beat
  }
  render();
  if (running) timer = setTimeout(beat, beatMs);
}

function onInput() {
  const wasIdle = Date.now() - lastInput >= idleMs;
  lastInput = Date.now();
  if (wasIdle && running && chosen === 'online') beat(); // back: online again at once
}
for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
  window.addEventListener(type, onInput, { passive: true, capture: true });
}
let moved = 0;
window.addEventListener('pointermove', () => { if (Date.now() - moved > 1000) { moved = Date.now(); onInput(); } }, { passive: true });

export function startPresence() {
  running = true;
  lastInput = Date.now();
  beat();
}

/** Logging out: offline now rather than when the record expires. */
export async function stopPresence() {
  running = false;
  clearTimeout(timer);
  shown = null;
  try { await api('POST', 'presence', { state: 'offline', idleMs: 0 }); } catch { /* expires anyway */ }
}

/** The header's switch: online / away / offline, and what the admin shows now. */
export function presenceControl() {
  const select = el('select', {
    id: 'presence', 'aria-label': t('presence'),
    onchange: (e) => { chosen = e.target.value; localStorage.setItem(KEY, chosen); beat(); },
  }, STATES.map((s) => el('option', { value: s }, t(`presence_${s}`))));
  select.value = chosen;
  const label = el('span', { class: 'hint presence-shown', id: 'presence-shown', role: 'status', 'aria-live': 'polite' });
  queueMicrotask(render);
  return [select, label];
}
