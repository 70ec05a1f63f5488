// Notifications for the signed-in admin: a desktop notification (Notification API; permission is
// asked only when the admin turns it on, a user gesture, never on load), a short WebAudio beep,
// and the unread count in the tab title "(3) edgechat admin". They fire for a visitor's message in
// a conversation not on screen (another one is open, or the tab is hidden). The three switches
// are kept in this browser (localStorage), per admin.
import { session } from './app.js';
import { el } from './dom.js';
import { t } from './i18n.js';

const BASE_TITLE = 'edgechat admin';
const KINDS = ['desktop', 'sound', 'title'];
const key = () => `edgechat:notify:${session.me ? session.me.id || session.me.username : ''}`;

export function notifySettings() {
  try {
    const saved = JSON.parse(localStorage.getItem(key()) || '{}');
    return { desktop: saved.desktop === true, sound: saved.sound !== false, title: saved.title !== false };
  } catch {
    return { desktop: false, sound: true, title: true };
  }
}
function save(settings) {
  try { localStorage.setItem(key(), JSON.stringify(settings)); } catch { /* kept for this page only */ }
}

/** The unread count in the tab title (0 or the title switch off: the plain title). */
export function setTitleCount(count) {
  document.title = count > 0 && notifySettings().title ? `(${count}) ${BASE_TITLE}` : BASE_TITLE;
}

let audio = null;
function beep() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.18);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.2);
  } catch { /* no audio here */ }
}

/** A visitor's message (`text`) arrived in conversation `id`; `onScreen`: it is the open one. */
export function notifyMessage(id, text, onScreen) {
  if (onScreen && document.visibilityState === 'visible') return;
  const s = notifySettings();
  if (s.sound) beep();
  if (s.desktop && 'Notification' in window && Notification.permission === 'granted') {
    try {
      const n = new Notification(t('newVisitorMessage'), { body: String(text || '').slice(0, 140), tag: `edgechat-${id}` });
      n.onclick = () => { window.focus(); location.hash = '#/inbox'; };
    } catch { /* some browsers allow notifications from a service worker only */ }
  }
}

/** The three switches (a card on the inbox page). */
export function notifyControls() {
  const s = notifySettings();
  const box = (kind) => el('label', { class: 'row' }, el('input', { type: 'checkbox', id: `notify-${kind}`, checked: s[kind],
    onchange: async (e) => {
      const next = { ...notifySettings(), [kind]: e.target.checked };
      if (kind === 'desktop' && next.desktop && 'Notification' in window && Notification.permission === 'default') {
        // Asked once, on this click; a refusal turns the switch back off.
        const answer = await Notification.requestPermission();
        if (answer !== 'granted') { next.desktop = false; e.target.checked = false; }
      }
      save(next);
    } }), t(`notify_${kind}`));
  return el('div', { class: 'row card', id: 'notify-settings' }, el('span', { class: 'hint' }, t('notifications')), KINDS.map(box));
}
