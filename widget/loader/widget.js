/*
 * edgechat loader. Embedded with
 *   <script src="https://CHAT/widget.js" data-site-id="SITE_KEY"></script>
 * It asks the chat server for the site's config (so a refused site shows nothing), then either fills
 * #chat-container with the chat frame or draws a launcher bubble at once and creates the frame when
 * the browser is idle. The guest identity lives in THIS page's localStorage (first-party storage
 * survives third-party partitioning and blocking) and reaches the frame only by postMessage.
 * ES2017, no dependencies, budget 2 KB brotli once minified; see docs/embedding.md.
 */
(() => {
  'use strict';
  const w = window;
  const d = document;
  // loaded twice: keep the first. A host page may set window.edgechat = {identity} beforehand.
  let identity = w.edgechat || {};
  if (identity.version) return;
  identity = identity.identity;

  // currentScript is null when run from a module or injected late: then find ourselves by src.
  const script =
    d.currentScript || [...d.querySelectorAll('script[data-site-id]')].find((s) => /\/widget\.js([?#]|$)/.test(s.src));
  if (!script) return;

  const PROTOCOL = 1;
  const data = (name) => script.getAttribute('data-' + name);
  const siteKey = data('site-id') || '';
  const chatOrigin = new URL(script.src, location.href).origin;
  const storageKey = 'edgechat:' + siteKey;
  const listeners = {};
  const state = { ready: false, open: false, unread: 0 };
  let config, frame, loaded, panel, launcher, badge, mobile, side;

  const css = (el, styles) => (Object.assign(el.style, styles), el);
  const el = (tag, styles) => css(d.createElement(tag), styles);
  const attrs = (el, values) => {
    for (const k in values) el.setAttribute(k, values[k]);
    return el;
  };

  const emit = (name, detail) =>
    (listeners[name] || []).slice().forEach((fn) => {
      try {
        fn(detail);
      } catch (e) {
        setTimeout(() => {
          throw e; // a host handler's bug must not break the widget
        });
      }
    });

  // localStorage may throw (blocked) or hold garbage: then the frame makes a new guest (it checks
  // the fields itself).
  const readGuest = () => {
    try {
      const g = JSON.parse(localStorage.getItem(storageKey));
      return g && g.token ? g : null;
    } catch (e) {
      return null;
    }
  };
  const saveGuest = (g) => {
    try {
      localStorage.setItem(storageKey, JSON.stringify(g));
    } catch (e) {}
  };

  // Never '*': only a document of our chat origin can receive what we send. (contentWindow is
  // null when the host page has removed the frame.)
  const post = (type, fields, win = frame && frame.contentWindow) =>
    win && win.postMessage(Object.assign({ edgechat: PROTOCOL, type }, fields), chatOrigin);

  const createFrame = (parent) => {
    if (frame) return;
    frame = el('iframe', { border: '0', width: '100%', height: '100%', display: 'block' });
    frame.title = config.title || 'Chat';
    // No token in this URL, ever: the guest travels by postMessage once the frame has loaded.
    frame.src = chatOrigin + '/frame/?site=' + encodeURIComponent(siteKey);
    frame.onload = () => {
      loaded = 1;
      post('init', {
        guest: readGuest(),
        identity,
        locale: data('locale'),
        pageLang: d.documentElement.lang || null,
        mode: launcher ? 'floating' : 'inline',
        visible: state.open || !launcher,
      });
      if (state.open) frame.focus();
    };
    parent.appendChild(frame);
  };

  const setUnread = (count, label) => {
    if (count === state.unread) return;
    state.unread = count;
    if (badge) {
      badge.textContent = label || count;
      badge.style.display = count ? 'block' : 'none';
      launcher.setAttribute('aria-label', (config.title || 'Chat') + (count ? ' (' + count + ')' : ''));
    }
    emit('unread', { count });
  };

  const handlers = {
    ready() {
      state.ready = true;
      emit('ready', {});
    },
    guest: (m) => m.guest && saveGuest(m.guest), // our frame's {guestId, token, userId?}
    // The newest message the visitor has seen, so replies that came while away count as unread.
    seen(m) {
      const g = readGuest();
      if (g) saveGuest(Object.assign(g, { seen: +m.id }));
    },
    message: (m) => m.message && emit('message', m.message),
    unread: (m) => setUnread(+m.count || 0, m.label),
    close: () => show(false),
  };

  w.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || m.edgechat !== PROTOCOL) return;
    if (frame && event.source === frame.contentWindow && event.origin === chatOrigin) {
      // Our own frame, from the chat origin.
      if (handlers.hasOwnProperty(m.type)) handlers[m.type](m);
    } else if (event.source === w && event.origin === location.origin && /^(open|close|toggle)$/.test(m.type)) {
      api[m.type](); // the host page drives us with window.postMessage({edgechat: 1, type: 'open'}, origin)
    }
  });

  const layout = () => {
    const small = mobile.matches; // phones: the open panel takes the whole screen
    css(panel, {
      display: state.open ? 'block' : 'none',
      bottom: small ? '0' : '88px',
      width: small ? '100%' : '370px',
      height: small ? '100%' : 'min(600px, calc(100% - 108px))',
      borderRadius: small ? '0' : '16px',
      [side]: small ? '0' : '20px',
    });
    css(launcher, { display: state.open && small ? 'none' : 'flex', [side]: '20px' });
  };

  const drawLauncher = () => {
    const color = /^#[0-9a-f]{3,8}$/i.test(config.primaryColor) ? config.primaryColor : '#2563eb';
    const fixed = { position: 'fixed', zIndex: 2147483000, boxShadow: '0 6px 24px rgba(0,0,0,.25)' };
    // The launcher sits at the inline end of the page unless data-position says otherwise.
    side = data('position') || (getComputedStyle(d.documentElement).direction == 'rtl' ? 'left' : 'right');
    if (side != 'left') side = 'right';
    launcher = attrs(
      el('button', Object.assign({
        bottom: '20px', width: '56px', height: '56px', borderRadius: '50%', border: '0', padding: '0',
        background: color, color: '#fff', cursor: 'pointer', alignItems: 'center', justifyContent: 'center',
      }, fixed)),
      { type: 'button', 'aria-label': config.title || 'Chat', 'aria-expanded': 'false', 'data-edgechat': 'launcher' }
    );
    const ns = 'http://www.w3.org/2000/svg';
    const icon = attrs(d.createElementNS(ns, 'svg'), { viewBox: '0 0 24 24', width: 28, height: 28, 'aria-hidden': 'true' });
    icon.appendChild(
      attrs(d.createElementNS(ns, 'path'), { fill: 'currentColor', d: 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z' })
    );
    badge = attrs(
      el('span', {
        position: 'absolute', top: '-4px', right: '-4px', minWidth: '20px', borderRadius: '10px', padding: '0 5px',
        background: '#dc2626', font: 'bold 12px/20px system-ui,sans-serif', textAlign: 'center', boxSizing: 'border-box', display: 'none',
      }),
      { 'aria-hidden': 'true', 'data-edgechat': 'badge' }
    );
    launcher.append(icon, badge);
    launcher.onclick = () => show(!state.open);

    panel = attrs(el('div', Object.assign({ overflow: 'hidden', background: '#fff' }, fixed)), { 'data-edgechat': 'panel' });
    mobile = w.matchMedia('(max-width: 480px)');
    mobile.addListener(layout);
    layout();
    d.body.append(panel, launcher);
    // The launcher is drawn first; the frame loads when the browser has nothing better to do.
    (w.requestIdleCallback || setTimeout)(() => createFrame(panel), { timeout: 3000 });
  };

  const show = (open) => {
    if (!launcher || open === state.open) return;
    state.open = open;
    createFrame(panel);
    launcher.setAttribute('aria-expanded', open);
    layout();
    post('visibility', { visible: open });
    // Focusing a frame that is still loading can leave keystrokes going nowhere (seen in
    // Chromium): a frame opened before it loaded is focused on load instead.
    if (open) loaded && frame.focus();
    else if (d.activeElement === frame) launcher.focus();
    emit(open ? 'open' : 'close', {});
  };

  const mount = () => {
    const container = d.querySelector(data('container') || '#chat-container');
    if (!container) return drawLauncher();
    // An empty container the host did not size (the two lines on a page without CSS) would leave the
    // frame at the iframe default of 150px: give it a usable height. A sized container keeps its own.
    if (!container.clientHeight) container.style.height = '560px';
    createFrame(container);
  };

  const api = {
    version: PROTOCOL,
    open: () => show(true),
    close: () => show(false),
    toggle: () => show(!state.open),
    // A verified identity token of the host's server (docs/embedding.md), or null to sign out.
    identify: (token) => post('identity', { identity: (identity = token) }),
    // on('ready' | 'open' | 'close' | 'message' | 'unread', fn) returns a function that unsubscribes.
    on(name, fn) {
      (listeners[name] = listeners[name] || []).push(fn);
      if (name == 'ready' && state.ready) setTimeout(fn, 0, {});
      return () => (listeners[name] = listeners[name].filter((f) => f !== fn));
    },
    get isOpen() {
      return state.open;
    },
    get unread() {
      return state.unread;
    },
  };
  w.edgechat = api;

  // A site that is unknown or does not allow this page gets nothing drawn and one clear message.
  fetch(chatOrigin + '/api/v1/external/config', { headers: { 'Site-Key': siteKey }, credentials: 'omit' })
    .then((res) =>
      res.json().then((body) => {
        if (!res.ok) throw Error(body.message || res.status);
        config = body;
        if (d.readyState == 'loading') d.addEventListener('DOMContentLoaded', mount);
        else mount();
      })
    )
    .catch((e) =>
      console.warn('edgechat: not shown (' + e.message + '): is ' + location.origin + ' an allowed origin of ' + siteKey + '?')
    );
})();
