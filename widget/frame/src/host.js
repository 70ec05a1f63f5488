// The host page: the postMessage protocol with the loader, the frame's own copy of the guest,
// whether the chat is shown, and what the page keeps for us (the last message seen).
const PROTOCOL = 1;
const INIT_TIMEOUT_MS = 3000;

export const siteKey = new URLSearchParams(location.search).get('site') || '';
export const framed = window.parent !== window;

let parentOrigin = null; // learned from the first message window.parent sends us
export let init = null;
export let visible = !framed;
export const setVisibleFlag = (next) => { visible = !!next; };
export let seen = null; // id of the newest message the visitor has seen; the host page keeps it
export const setSeen = (id) => { seen = id; };
export const showing = () => visible && document.visibilityState === 'visible';

// The frame's own copy of the guest, keyed by site and embedding origin. Access may throw
// (third-party storage blocked) or be partitioned; the host page's copy is the one that counts.
const storageKey = () => `edgechat:${siteKey}:${parentOrigin || 'top'}`;
export function loadOwnGuest() {
  try {
    const g = JSON.parse(localStorage.getItem(storageKey()));
    return validGuest(g) ? g : null;
  } catch {
    return null;
  }
}
export function saveOwnGuest(g) {
  try {
    localStorage.setItem(storageKey(), JSON.stringify(g));
  } catch {
    // blocked: the host page keeps the identity
  }
}
export const validGuest = (g) => !!g && typeof g.guestId === 'string' && typeof g.token === 'string' && g.token.length > 0;

export function toParent(type, fields = {}) {
  if (!framed || !parentOrigin) return;
  window.parent.postMessage({ edgechat: PROTOCOL, type, ...fields }, parentOrigin);
}

// Until the parent's first message names its origin we cannot answer it; that first message is
// trusted only because it comes from window.parent, and event.origin is set by the browser.
// Resolves to the init message (also kept as `init`), or null.
export function waitForInit(onVisibility) {
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
        init = m;
        resolve(m);
      } else if (m.type === 'visibility' && parentOrigin !== null) {
        onVisibility(m.visible);
      }
    });
  });
}
