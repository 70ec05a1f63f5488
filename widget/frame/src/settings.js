// The site's settings as the frame applies them: language and direction, title, colour, limits,
// and the lock (with a look now and then to open again without a reload).
import { call } from './api.js';
import { setStatus, ui } from './dom.js';
import { framed, init } from './host.js';
import { lang, pickLang, setLang, t } from './i18n.js';
import { renderAll } from './log.js';

const UNLOCK_CHECK_MS = 10000;

export let config = { title: '', primaryColor: null, locked: false, lockedMessage: '', locale: null, limits: {} };
// What runs when the chat opens again (the composer's pump, wired by main.js).
let unlocked = () => {};
export const onUnlocked = (fn) => { unlocked = fn; };

export function applyLanguage() {
  // The snippet's data-locale wins, then the site's configured locale, then the page's language.
  setLang(pickLang(init && init.locale, config.locale, init && init.pageLang, framed ? null : navigator.language));
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'fa' ? 'rtl' : 'ltr';
  ui.close.setAttribute('aria-label', t.close);
  ui.log.setAttribute('aria-label', t.messages);
  ui.inputLabel.textContent = t.message;
  ui.send.setAttribute('aria-label', t.send);
  ui.empty.textContent = t.empty;
  applyTitle();
  applyPresence(presence, awayText);
  applyLocked(config.locked, config.lockedMessage);
  renderAll();
}

// Whether an agent is there (the stream's presence event): 'online', 'away', 'outside_hours'
// (the site is closed: its away text follows on a line of its own) or null (not known).
let presence = null;
let awayText = '';
export function applyPresence(state, away) {
  presence = state === 'online' || state === 'away' || state === 'outside_hours' ? state : null;
  awayText = presence === 'outside_hours' && typeof away === 'string' ? away : '';
  // The line takes height from the log: a log at its bottom stays there.
  const { log } = ui;
  const stick = log.scrollHeight - log.scrollTop - log.clientHeight < 2;
  ui.presence.hidden = !presence;
  ui.presence.dataset.state = presence || '';
  ui.presence.textContent = presence ? t[presence] + (awayText ? '\n' + awayText : '') : '';
  if (stick) log.scrollTop = log.scrollHeight;
}

function applyTitle() {
  const title = config.title || t.title;
  ui.title.textContent = title;
  document.title = title;
}

export function applyConfig(next) {
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

export function applyLocked(locked, message) {
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
        unlocked(); // messages refused while locked stay failed; new ones go out
        return;
      }
    } catch {
      // try again later
    }
    if (config.locked) watchUnlock();
  }, UNLOCK_CHECK_MS);
}
