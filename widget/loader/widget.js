/*
 * edgechat loader. Embedded with
 *   <script src="https://CHAT/widget.js" data-site-id="SITE_KEY"></script>
 * It asks the chat server for the site's config (so a refused site shows nothing), then either fills
 * #chat-container with the chat frame or draws a launcher bubble at once and creates the frame when
 * the browser is idle. The guest identity lives in THIS page's localStorage (first-party storage
 * survives third-party partitioning and blocking) and reaches the frame only by postMessage.
 * Plain ES2017, no dependencies; see docs/embedding.md for options, API and protocol.
 */
(function () {
  'use strict';
  var w = window;
  var d = document;
  if (w.edgechat && w.edgechat.version) return; // loaded twice: keep the first

  var script = d.currentScript;
  if (!script) {
    // currentScript is null in some async/module contexts: find ourselves by src.
    var all = d.querySelectorAll('script[data-site-id]');
    for (var i = 0; i < all.length; i++) {
      if (/\/widget\.js([?#]|$)/.test(all[i].src)) script = all[i];
    }
  }
  if (!script) return;

  var PROTOCOL = 1;
  var data = function (name) {
    return script.getAttribute('data-' + name);
  };
  var siteKey = data('site-id') || '';
  var chatOrigin = new URL(script.src, location.href).origin;
  var storageKey = 'edgechat:' + siteKey;
  var listeners = {};
  var state = { ready: false, open: false, unread: 0 };
  var config, frame, panel, launcher, badge, mobile;

  function log(text) {
    console.warn('edgechat: ' + text);
  }

  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try {
        fn(detail);
      } catch (e) {
        setTimeout(function () {
          throw e; // a host handler's bug must not break the widget
        });
      }
    });
  }

  function readGuest() {
    try {
      var g = JSON.parse(localStorage.getItem(storageKey));
      return g && typeof g.token == 'string' && typeof g.guestId == 'string' ? g : null;
    } catch (e) {
      return null; // storage blocked or corrupt: the frame creates a guest
    }
  }

  function saveGuest(g) {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ guestId: g.guestId, token: g.token }));
    } catch (e) {
      // storage blocked: the visitor gets a new guest next time
    }
  }

  function post(type, fields) {
    if (!frame || !frame.contentWindow) return;
    var msg = { edgechat: PROTOCOL, type: type };
    for (var k in fields) msg[k] = fields[k];
    frame.contentWindow.postMessage(msg, chatOrigin); // never '*': only our chat origin may read it
  }

  function css(el, styles) {
    for (var k in styles) el.style[k] = styles[k];
    return el;
  }

  function el(tag, styles) {
    return css(d.createElement(tag), styles || {});
  }

  function createFrame(parent) {
    if (frame) return;
    frame = el('iframe', { border: '0', width: '100%', height: '100%', display: 'block', colorScheme: 'normal' });
    frame.title = config.title || 'Chat';
    // No token in this URL, ever: the guest travels by postMessage once the frame has loaded.
    frame.src = chatOrigin + '/frame/?site=' + encodeURIComponent(siteKey);
    frame.addEventListener('load', function () {
      post('init', {
        guest: readGuest(),
        locale: data('locale'),
        pageLang: d.documentElement.lang || null,
        mode: launcher ? 'floating' : 'inline',
        visible: state.open || !launcher,
      });
    });
    parent.appendChild(frame);
  }

  function onFrameMessage(event) {
    // Only our own frame, from the chat origin, speaking our protocol.
    if (!frame || event.source !== frame.contentWindow || event.origin !== chatOrigin) return;
    var m = event.data;
    if (!m || m.edgechat !== PROTOCOL) return;
    if (m.type == 'ready') {
      state.ready = true;
      emit('ready', {});
    } else if (m.type == 'guest' && m.guest && typeof m.guest.token == 'string') {
      saveGuest(m.guest);
    } else if (m.type == 'message' && m.message) {
      emit('message', m.message);
    } else if (m.type == 'unread') {
      setUnread(+m.count || 0);
    } else if (m.type == 'close') {
      api.close();
    }
  }

  function onHostMessage(event) {
    // The host page may drive the widget with window.postMessage({edgechat: 1, type: 'open'}, origin).
    if (event.source !== w || event.origin !== location.origin) return;
    var m = event.data;
    if (m && m.edgechat === PROTOCOL && /^(open|close|toggle)$/.test(m.type)) api[m.type]();
  }

  function setUnread(count) {
    if (count === state.unread) return;
    state.unread = count;
    if (badge) {
      badge.textContent = count > 9 ? '9+' : String(count);
      badge.style.display = count ? 'block' : 'none';
      launcher.setAttribute('aria-label', (config.title || 'Chat') + (count ? ' (' + count + ')' : ''));
    }
    emit('unread', { count: count });
  }

  function layout() {
    if (!panel) return;
    // Default corner: the inline end of the page (bottom-left on a right-to-left page).
    var pos = data('position') || (getComputedStyle(d.documentElement).direction == 'rtl' ? 'left' : 'right');
    var side = pos == 'left' ? 'left' : 'right';
    var small = mobile.matches;
    css(panel, {
      display: state.open ? 'block' : 'none',
      bottom: small ? '0' : '88px',
      width: small ? '100%' : '370px',
      height: small ? '100%' : 'min(600px, calc(100% - 108px))',
      borderRadius: small ? '0' : '16px',
    });
    panel.style[side] = small ? '0' : '20px';
    launcher.style[side] = '20px';
    launcher.style.display = state.open && small ? 'none' : 'flex';
  }

  function drawLauncher() {
    var color = /^#[0-9a-f]{3,8}$/i.test(config.primaryColor) ? config.primaryColor : '#2563eb';
    var fixed = { position: 'fixed', zIndex: '2147483000' };
    launcher = el('button', fixed);
    launcher.type = 'button';
    launcher.setAttribute('aria-label', config.title || 'Chat');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('data-edgechat', 'launcher');
    css(launcher, {
      bottom: '20px', width: '56px', height: '56px', borderRadius: '50%', border: '0', padding: '0',
      background: color, color: '#fff', cursor: 'pointer', alignItems: 'center', justifyContent: 'center',
      boxShadow: '0 4px 16px rgba(0,0,0,.25)',
    });
    var svgNs = 'http://www.w3.org/2000/svg';
    var icon = d.createElementNS(svgNs, 'svg');
    icon.setAttribute('viewBox', '0 0 24 24');
    icon.setAttribute('width', '28');
    icon.setAttribute('height', '28');
    icon.setAttribute('aria-hidden', 'true');
    var path = d.createElementNS(svgNs, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
    icon.appendChild(path);
    launcher.appendChild(icon);
    badge = el('span', {
      position: 'absolute', top: '-4px', right: '-4px', minWidth: '20px', height: '20px', lineHeight: '20px',
      borderRadius: '10px', background: '#dc2626', color: '#fff', font: 'bold 12px/20px system-ui,sans-serif',
      textAlign: 'center', padding: '0 5px', boxSizing: 'border-box', display: 'none',
    });
    badge.setAttribute('aria-hidden', 'true');
    launcher.appendChild(badge);
    launcher.addEventListener('click', api.toggle);

    panel = el('div', fixed);
    panel.setAttribute('data-edgechat', 'panel');
    css(panel, { overflow: 'hidden', background: '#fff', boxShadow: '0 8px 32px rgba(0,0,0,.25)' });
    mobile = w.matchMedia('(max-width: 480px)');
    if (mobile.addEventListener) mobile.addEventListener('change', layout);
    layout();
    d.body.appendChild(panel);
    d.body.appendChild(launcher);
    // The launcher is drawn first; the frame loads when the browser has nothing better to do.
    var idle = w.requestIdleCallback || function (fn) {
      setTimeout(fn, 1);
    };
    idle(function () {
      createFrame(panel);
    }, { timeout: 3000 });
  }

  function show(open) {
    if (!launcher || open === state.open) return;
    state.open = open;
    createFrame(panel);
    launcher.setAttribute('aria-expanded', String(open));
    layout();
    post('visibility', { visible: open });
    if (open) frame.focus();
    else if (d.activeElement === frame) launcher.focus();
    emit(open ? 'open' : 'close', {});
  }

  function mount() {
    var container = d.querySelector(data('container') || '#chat-container');
    if (container) createFrame(container);
    else drawLauncher();
  }

  var api = {
    version: PROTOCOL,
    open: function () {
      show(true);
    },
    close: function () {
      show(false);
    },
    toggle: function () {
      show(!state.open);
    },
    on: function (name, fn) {
      (listeners[name] = listeners[name] || []).push(fn);
      if (name == 'ready' && state.ready) setTimeout(fn, 0, {});
      return function () {
        listeners[name] = listeners[name].filter(function (f) {
          return f !== fn;
        });
      };
    },
    get isOpen() {
      return state.open;
    },
    get unread() {
      return state.unread;
    },
  };
  w.edgechat = api;
  w.addEventListener('message', onFrameMessage);
  w.addEventListener('message', onHostMessage);

  // A site that is unknown or does not whitelist this page gets nothing drawn and one clear message.
  fetch(chatOrigin + '/api/v1/external/config', { headers: { 'Site-Key': siteKey }, credentials: 'omit' })
    .then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.message || body.error || 'HTTP ' + res.status);
        return body;
      });
    })
    .then(
      function (body) {
        config = body;
        if (d.readyState == 'loading') d.addEventListener('DOMContentLoaded', mount);
        else mount();
      },
      function (e) {
        log('the chat is not available on this page (' + e.message + '). Check the site key and that ' +
          location.origin + ' is an allowed origin of the site.');
      }
    );
})();
