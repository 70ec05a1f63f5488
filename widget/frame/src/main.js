/*
 * edgechat frame: the chat itself, served from the chat server's origin inside the host page's
 * iframe (or opened on its own). It talks to the host page's loader only by postMessage and to the
 * external API with the site key and the guest's bearer token in headers. All user text is rendered
 * with textContent. No inline scripts or styles: the frame runs under a strict CSP.
 *
 * This module starts the chat and wires the page's events; widget/build.mjs bundles it with the
 * sections it imports (api, host, i18n, settings, log, composer, stream) into frame.js.
 */
import { call, guest, newGuest, persist, setGuest } from './api.js';
import { autoGrow, pump, submit, typed } from './composer.js';
import { setStatus, ui } from './dom.js';
import { framed, init, loadOwnGuest, saveOwnGuest, seen, setSeen, setVisibleFlag, showing, toParent, validGuest, visible, waitForInit } from './host.js';
import { t } from './i18n.js';
import { byId, markSeen, onRetry, setUnread, unread } from './log.js';
import { applyConfig, applyLanguage, config, onUnlocked } from './settings.js';
import { fillLog, listen, loadHistory, loadOlder } from './stream.js';

function setVisible(next) {
  setVisibleFlag(next);
  document.documentElement.dataset.visible = visible; // for styling and tests
  if (visible) {
    setUnread(0);
    markSeen();
    ui.log.scrollTop = ui.log.scrollHeight;
    fillLog();
    if (!config.locked) ui.input.focus();
  }
}

async function start() {
  const configLoad = persist('load', () => call('GET', 'config', undefined, false)).catch((e) => e);
  await waitForInit(setVisible);
  if (init) {
    setVisibleFlag(init.visible !== false);
    ui.close.hidden = init.mode !== 'floating';
  }
  const loaded = await configLoad;
  if (loaded instanceof Error) {
    applyLanguage();
    setStatus('load', loaded.message);
    return;
  }
  applyConfig({ ...config, ...loaded.json });
  setGuest(init && validGuest(init.guest) ? { guestId: init.guest.guestId, token: init.guest.token } : loadOwnGuest());
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
    setSeen(Number(init.guest.seen));
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

onRetry(pump);
onUnlocked(pump);
ui.form.addEventListener('submit', submit);
ui.log.addEventListener('scroll', () => {
  if (ui.log.scrollTop < 80) loadOlder();
}, { passive: true });
ui.input.addEventListener('input', () => {
  autoGrow();
  typed();
});
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
