// edgechat admin panel: plain JavaScript, no framework. Every text from the server is put in the
// page with textContent (through el()), never as HTML.
'use strict';
(() => {
  const API = '/api/v1/admin/';
  const PUBLIC_URL = location.origin;

  // --- i18n ------------------------------------------------------------------------------------
  const STRINGS = {
    en: {
      title: 'edgechat admin', login: 'Log in', username: 'Username', password: 'Password',
      logout: 'Log out', sites: 'External Sites', inbox: 'Inbox', admins: 'Admins', audit: 'Audit log',
      addSite: 'Add a site', name: 'Name', siteTitle: 'Widget title', color: 'Primary colour',
      origins: 'Allowed origins', originsHint: 'One per line, e.g. https://shop.example or *.shop.example',
      wildcardRule: 'Exact entries are scheme://host[:port]. A wildcard *.example.com matches subdomains '
        + '(a.example.com, b.a.example.com) at a dot boundary only, never example.com itself or '
        + 'badexample.com; without a scheme it means https. Paths, null and file: are refused.',
      create: 'Create', save: 'Save', saved: 'Saved', remove: 'Remove', add: 'Add', cancel: 'Cancel',
      confirmRemoveSite: 'Remove this site, its conversations and keys? This cannot be undone.',
      siteKey: 'Site key', regenerate: 'Regenerate', confirmRegenerate:
        'Regenerate the site key? Pages embedding the old key stop working until updated.',
      embed: 'Embed snippet', copy: 'Copy', copied: 'Copied',
      secretKeys: 'Secret keys', label: 'Label', generate: 'Generate', revoke: 'Revoke', revoked: 'revoked',
      secretOnce: 'Copy this secret key now: it is shown only once.',
      locked: 'Locked (visitors cannot send messages)', lockedMessage: 'Message shown while locked',
      locale: 'Language', localeAuto: 'Follow the page', limits: 'Rate limit',
      limitMessages: 'Messages', limitWindow: 'per this many seconds', limitBurst: 'Burst allowance', limitMessage: 'Message when limited',
      mainSite: 'Main site (the operator’s own site)', preview: 'Preview', previewText: 'Hello! How can we help?',
      noSites: 'No sites yet.', selectSite: 'Select a site to edit it.',
      allSites: 'All sites', allSources: 'All sources', allStatuses: 'All statuses',
      external: 'External Source', main: 'Main site', open: 'Open', resolved: 'Resolved',
      resolve: 'Resolve', reopen: 'Reopen', reply: 'Reply', send: 'Send', noConversations: 'No conversations.',
      selectConversation: 'Select a conversation.', guest: 'Visitor', agent: 'Agent', system: 'System',
      likes: 'Likes', dislikes: 'Dislikes', unread: 'unread', live: 'live', offline: 'reconnecting…',
      displayName: 'Display name', addAdmin: 'Add an admin', changePassword: 'Change password',
      currentPassword: 'Current password', newPassword: 'New password', you: 'you',
      confirmRemoveAdmin: 'Remove this admin?', when: 'When', who: 'Who', what: 'What', target: 'Target',
      details: 'Details', more: 'More', language: 'فارسی',
    },
    fa: {
      title: 'مدیریت edgechat', login: 'ورود', username: 'نام کاربری', password: 'گذرواژه',
      logout: 'خروج', sites: 'سایت‌های خارجی', inbox: 'صندوق گفتگوها', admins: 'مدیران', audit: 'گزارش تغییرات',
      addSite: 'افزودن سایت', name: 'نام', siteTitle: 'عنوان ویجت', color: 'رنگ اصلی',
      origins: 'مبداهای مجاز', originsHint: 'هر خط یکی، مانند https://shop.example یا *.shop.example',
      wildcardRule: 'مبدا دقیق به شکل scheme://host[:port] است. الگوی *.example.com فقط زیردامنه‌ها را '
        + '(a.example.com و b.a.example.com) در مرز نقطه می‌پذیرد، نه خود example.com و نه badexample.com؛ '
        + 'بدون scheme یعنی https. مسیر، null و file: پذیرفته نمی‌شوند.',
      create: 'ایجاد', save: 'ذخیره', saved: 'ذخیره شد', remove: 'حذف', add: 'افزودن', cancel: 'انصراف',
      confirmRemoveSite: 'این سایت با گفتگوها و کلیدهایش حذف شود؟ بازگشت‌پذیر نیست.',
      siteKey: 'کلید سایت', regenerate: 'ساخت کلید تازه', confirmRegenerate:
        'کلید سایت عوض شود؟ صفحه‌هایی که کلید قدیمی را دارند تا به‌روزرسانی کار نمی‌کنند.',
      embed: 'کد جاسازی', copy: 'کپی', copied: 'کپی شد',
      secretKeys: 'کلیدهای محرمانه', label: 'برچسب', generate: 'ساختن', revoke: 'ابطال', revoked: 'باطل‌شده',
      secretOnce: 'این کلید محرمانه را همین حالا کپی کنید: فقط یک بار نشان داده می‌شود.',
      locked: 'قفل (بازدیدکنندگان نمی‌توانند پیام بفرستند)', lockedMessage: 'پیام هنگام قفل',
      locale: 'زبان', localeAuto: 'پیروی از صفحه', limits: 'محدودیت نرخ',
      limitMessages: 'تعداد پیام', limitWindow: 'در این چند ثانیه', limitBurst: 'مازاد مجاز', limitMessage: 'پیام هنگام محدودیت',
      mainSite: 'سایت اصلی (سایت خود اپراتور)', preview: 'پیش‌نمایش', previewText: 'سلام! چطور می‌توانیم کمک کنیم؟',
      noSites: 'هنوز سایتی نیست.', selectSite: 'یک سایت را برای ویرایش برگزینید.',
      allSites: 'همه سایت‌ها', allSources: 'همه منابع', allStatuses: 'همه وضعیت‌ها',
      external: 'External Source', main: 'Main site', open: 'باز', resolved: 'حل‌شده',
      resolve: 'حل شد', reopen: 'بازگشایی', reply: 'پاسخ', send: 'ارسال', noConversations: 'گفتگویی نیست.',
      selectConversation: 'یک گفتگو را برگزینید.', guest: 'بازدیدکننده', agent: 'پشتیبان', system: 'سیستم',
      likes: 'پسند', dislikes: 'نپسند', unread: 'نخوانده', live: 'زنده', offline: 'در حال اتصال دوباره…',
      displayName: 'نام نمایشی', addAdmin: 'افزودن مدیر', changePassword: 'تغییر گذرواژه',
      currentPassword: 'گذرواژه فعلی', newPassword: 'گذرواژه تازه', you: 'شما',
      confirmRemoveAdmin: 'این مدیر حذف شود؟', when: 'زمان', who: 'چه کسی', what: 'چه کاری', target: 'هدف',
      details: 'جزئیات', more: 'بیشتر', language: 'English',
    },
  };
  let lang = localStorage.getItem('edgechat.panel.lang') === 'fa' ? 'fa' : 'en';
  const t = (key) => STRINGS[lang][key] || STRINGS.en[key] || key;
  const numberFormat = () => new Intl.NumberFormat(lang === 'fa' ? 'fa-IR' : 'en-US');
  const num = (n) => numberFormat().format(n);
  const when = (iso) => {
    if (!iso) return '';
    try {
      return new Intl.DateTimeFormat(lang === 'fa' ? 'fa-IR' : 'en-GB',
        { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
    } catch { return iso; }
  };
  function applyLang() {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === 'fa' ? 'rtl' : 'ltr';
    document.title = t('title');
  }

  // --- DOM helper: text only ---------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'class') node.className = v;
      else if (k === 'value') node.value = v;
      else if (k === 'checked') node.checked = !!v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const app = document.getElementById('app');
  const clear = (node) => { while (node.firstChild) node.firstChild.remove(); };

  // --- API ---------------------------------------------------------------------------------------
  let csrf = '';
  let me = null;
  class ApiError extends Error {
    constructor(status, body) { super(body && body.message ? body.message : `HTTP ${status}`); this.status = status; }
  }
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const response = await fetch(API + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    if (response.status === 401 && path !== 'login') { showLogin(); throw new ApiError(401, data); }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
  function errorBox() { return el('p', { class: 'error', role: 'alert' }); }
  function showError(box, error) { box.textContent = error.message || String(error); }

  // --- shell -------------------------------------------------------------------------------------
  const ROUTES = ['inbox', 'sites', 'admins', 'audit'];
  let stopStream = null;
  function currentRoute() {
    const r = location.hash.replace(/^#\/?/, '').split('/')[0];
    return ROUTES.includes(r) ? r : 'inbox';
  }
  function shell() {
    clear(app);
    const nav = el('nav', { class: 'tabs' }, ROUTES.map((r) =>
      el('a', { href: `#/${r}`, id: `tab-${r}`, class: currentRoute() === r ? 'active' : '' }, t(r))));
    const header = el('header', { class: 'top' },
      el('span', { class: 'brand' }, t('title')), nav,
      el('span', { class: 'hint', id: 'live-state' }),
      el('span', { class: 'hint' }, me ? me.username : ''),
      el('button', { id: 'lang', onclick: () => { lang = lang === 'fa' ? 'en' : 'fa';
        localStorage.setItem('edgechat.panel.lang', lang); applyLang(); render(); } }, t('language')),
      el('button', { id: 'logout', onclick: logout }, t('logout')));
    const main = el('main', { id: 'main' });
    app.append(header, main);
    return main;
  }
  async function logout() {
    try { await api('POST', 'logout', {}); } catch { /* shown as the login page anyway */ }
    me = null; csrf = '';
    showLogin();
  }
  function showLogin() {
    if (stopStream) { stopStream(); stopStream = null; }
    clear(app);
    const err = errorBox();
    const user = el('input', { id: 'login-username', autocomplete: 'username', required: true });
    const pass = el('input', { id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
    const form = el('form', { class: 'card login', id: 'login-form', onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      try {
        const s = await api('POST', 'login', { username: user.value, password: pass.value });
        csrf = s.csrfToken; me = s.admin;
        startStream();
        render();
      } catch (error) { showError(err, error); }
    } },
    el('h1', {}, t('title')),
    el('label', { for: 'login-username' }, t('username')), user,
    el('label', { for: 'login-password' }, t('password')), pass,
    el('p', {}, el('button', { class: 'primary', type: 'submit' }, t('login'))), err,
    el('button', { type: 'button', onclick: () => { lang = lang === 'fa' ? 'en' : 'fa';
      localStorage.setItem('edgechat.panel.lang', lang); applyLang(); showLogin(); } }, t('language')));
    app.append(form);
    user.focus();
  }

  // --- live updates: the admin event stream over fetch ------------------------------------------
  const listeners = new Set();
  function startStream() {
    if (stopStream) return;
    const controller = new AbortController();
    let stopped = false;
    stopStream = () => { stopped = true; controller.abort(); };
    const setState = (live) => {
      const node = document.getElementById('live-state');
      if (node) node.textContent = live ? `● ${t('live')}` : t('offline');
    };
    (async () => {
      let lastId = null;
      while (!stopped) {
        try {
          const headers = { Accept: 'text/event-stream' };
          if (lastId) headers['Last-Event-ID'] = lastId;
          const response = await fetch(API + 'events', { headers, credentials: 'same-origin',
            cache: 'no-store', signal: controller.signal });
          if (response.status === 401) { stopped = true; showLogin(); return; }
          if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
          setState(true);
          listeners.forEach((fn) => fn({ type: 'connected' }));
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let cut;
            while ((cut = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              const event = { type: 'message', data: '' };
              for (const line of block.split('\n')) {
                if (line.startsWith('id: ')) lastId = line.slice(4);
                else if (line.startsWith('event: ')) event.type = line.slice(7);
                else if (line.startsWith('data: ')) event.data += line.slice(6);
              }
              if (!event.data) continue;
              try { event.payload = JSON.parse(event.data); } catch { continue; }
              listeners.forEach((fn) => fn(event));
            }
          }
        } catch (error) {
          if (stopped) return;
        }
        setState(false);
        await new Promise((r) => setTimeout(r, 1500));
      }
    })();
  }

  // --- pages -------------------------------------------------------------------------------------
  async function render() {
    applyLang();
    listeners.clear();
    const main = shell();
    const route = currentRoute();
    try {
      if (route === 'sites') await renderSites(main);
      else if (route === 'admins') await renderAdmins(main);
      else if (route === 'audit') await renderAudit(main);
      else await renderInbox(main);
    } catch (error) {
      if (error.status !== 401) { const box = errorBox(); showError(box, error); main.append(box); }
    }
  }

  // External Sites
  let selectedSiteKey = null;
  async function renderSites(main) {
    const { sites } = await api('GET', 'sites');
    const list = el('ul', { class: 'plain site-list', id: 'site-list' });
    if (!sites.length) list.append(el('li', {}, t('noSites')));
    for (const s of sites) {
      list.append(el('li', { class: s.key === selectedSiteKey ? 'selected' : '', 'data-site-key': s.key,
        onclick: () => { selectedSiteKey = s.key; render(); } },
      el('span', { class: 'site-name' }, s.name),
      s.main ? el('span', { class: 'badge' }, t('main')) : el('span', { class: 'badge external' }, t('external')),
      s.locked ? el('span', { class: 'badge' }, '🔒') : null));
    }
    const editor = el('div', { id: 'site-editor' });
    main.append(el('div', { class: 'grid2' },
      el('div', {}, el('section', { class: 'card' }, el('h2', {}, t('sites')), list), addSiteForm()),
      editor));
    const site = sites.find((s) => s.key === selectedSiteKey);
    if (site) await renderSiteEditor(editor, site);
    else editor.append(el('p', { class: 'hint card' }, t('selectSite')));
  }

  function addSiteForm() {
    const err = errorBox();
    const name = el('input', { id: 'new-site-name', required: true, maxlength: 200 });
    const origins = el('textarea', { id: 'new-site-origins', rows: 3, placeholder: 'https://shop.example' });
    const title = el('input', { id: 'new-site-title', maxlength: 200, placeholder: 'Chat with us' });
    const color = el('input', { id: 'new-site-color', type: 'color', value: '#2563eb' });
    return el('form', { class: 'card', id: 'add-site-form', onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      const body = { name: name.value, primaryColor: color.value,
        origins: origins.value.split(/\s+/).filter(Boolean) };
      if (title.value.trim()) body.title = title.value;
      try {
        const site = await api('POST', 'sites', body);
        selectedSiteKey = site.key;
        render();
      } catch (error) { showError(err, error); }
    } },
    el('h2', {}, t('addSite')),
    el('label', { for: 'new-site-name' }, t('name')), name,
    el('label', { for: 'new-site-origins' }, t('origins')), origins,
    el('p', { class: 'hint' }, t('originsHint')), el('p', { class: 'hint' }, t('wildcardRule')),
    el('label', { for: 'new-site-title' }, t('siteTitle')), title,
    el('label', { for: 'new-site-color' }, t('color')), color,
    el('p', {}, el('button', { class: 'primary', type: 'submit', id: 'create-site' }, t('create'))), err);
  }

  function snippetFor(key) {
    return `<script src="${PUBLIC_URL}/widget.js" data-site-id="${key}"></script>\n<div id="chat-container"></div>`;
  }

  async function renderSiteEditor(box, site) {
    const err = errorBox();
    const status = el('span', { class: 'ok', id: 'site-saved' });
    const f = {
      name: el('input', { id: 'site-name', value: site.name, maxlength: 200 }),
      title: el('input', { id: 'site-title', value: site.title, maxlength: 200 }),
      color: el('input', { id: 'site-color', type: 'color', value: site.primaryColor }),
      colorText: el('input', { id: 'site-color-text', value: site.primaryColor, size: 8, class: 'mono' }),
      locked: el('input', { id: 'site-locked', type: 'checkbox', checked: site.locked }),
      lockedMessage: el('textarea', { id: 'site-locked-message', rows: 2, maxlength: 500, value: site.lockedMessage }),
      locale: el('select', { id: 'site-locale' },
        el('option', { value: '' }, t('localeAuto')), el('option', { value: 'en' }, 'English'),
        el('option', { value: 'fa' }, 'فارسی')),
      main: el('input', { id: 'site-main', type: 'checkbox', checked: site.main }),
      limitMessages: el('input', { id: 'site-limit-messages', type: 'number', min: 1, value: site.limits.messages }),
      limitWindow: el('input', { id: 'site-limit-window', type: 'number', min: 1, value: site.limits.windowSeconds }),
      limitBurst: el('input', { id: 'site-limit-burst', type: 'number', min: 0, value: site.limits.burst }),
      limitMessage: el('input', { id: 'site-limit-message', maxlength: 500, value: site.limits.message }),
    };
    f.locale.value = site.locale || '';
    // Live preview of the widget's colour and title.
    const previewHead = el('div', { class: 'head', id: 'preview-title' }, site.title);
    const previewBubble = el('span', { class: 'bubble' });
    const paint = () => {
      const c = /^#[0-9a-fA-F]{6}$/.test(f.colorText.value) ? f.colorText.value : f.color.value;
      previewHead.style.background = c; previewBubble.style.background = c;
      previewHead.textContent = f.title.value;
    };
    f.color.addEventListener('input', () => { f.colorText.value = f.color.value; paint(); });
    f.colorText.addEventListener('input', () => {
      if (/^#[0-9a-fA-F]{6}$/.test(f.colorText.value)) f.color.value = f.colorText.value.toLowerCase();
      paint();
    });
    f.title.addEventListener('input', paint);
    paint();
    const settings = el('form', { class: 'card', id: 'site-settings', onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = ''; status.textContent = '';
      try {
        await api('PATCH', `sites/${site.key}`, {
          name: f.name.value, title: f.title.value, primaryColor: f.colorText.value,
          locked: f.locked.checked, lockedMessage: f.lockedMessage.value,
          locale: f.locale.value || null, main: f.main.checked,
          limits: { messages: Number(f.limitMessages.value), windowSeconds: Number(f.limitWindow.value),
            burst: Number(f.limitBurst.value), message: f.limitMessage.value },
        });
        status.textContent = t('saved');
        setTimeout(render, 400);
      } catch (error) { showError(err, error); }
    } },
    el('h2', {}, site.name),
    el('label', { for: 'site-name' }, t('name')), f.name,
    el('label', { for: 'site-title' }, t('siteTitle')), f.title,
    el('label', { for: 'site-color' }, t('color')), el('div', { class: 'row' }, f.color, f.colorText),
    el('p', { class: 'hint' }, t('preview')),
    el('div', { class: 'preview', id: 'site-preview' }, previewHead,
      el('div', { class: 'body' }, t('previewText')), previewBubble),
    el('label', {}, f.locked, ' ', t('locked')),
    el('label', { for: 'site-locked-message' }, t('lockedMessage')), f.lockedMessage,
    el('label', { for: 'site-locale' }, t('locale')), f.locale,
    el('label', {}, f.main, ' ', t('mainSite')),
    el('fieldset', {}, el('legend', {}, t('limits')),
      el('div', { class: 'row limits' },
        el('label', {}, t('limitMessages'), f.limitMessages),
        el('label', {}, t('limitWindow'), f.limitWindow),
        el('label', {}, t('limitBurst'), f.limitBurst)),
      el('label', { for: 'site-limit-message' }, t('limitMessage')), f.limitMessage),
    el('p', { class: 'row' }, el('button', { class: 'primary', type: 'submit', id: 'save-site' }, t('save')), status,
      el('button', { type: 'button', class: 'danger', id: 'remove-site', onclick: async () => {
        if (!confirm(t('confirmRemoveSite'))) return;
        try { await api('DELETE', `sites/${site.key}`); selectedSiteKey = null; render(); }
        catch (error) { showError(err, error); }
      } }, t('remove'))), err);

    // Origins
    const originErr = errorBox();
    const originInput = el('input', { id: 'origin-input', placeholder: 'https://shop.example', class: 'mono' });
    const originsList = el('ul', { class: 'plain', id: 'origin-list' }, site.origins.map((o) =>
      el('li', { 'data-origin': o }, el('code', {}, o), el('button', { class: 'danger', type: 'button',
        onclick: async () => {
          try { await api('DELETE', `sites/${site.key}/origins`, { origin: o }); render(); }
          catch (error) { showError(originErr, error); }
        } }, t('remove')))));
    const originsCard = el('form', { class: 'card', id: 'origins-form', onsubmit: async (e) => {
      e.preventDefault();
      originErr.textContent = '';
      try { await api('POST', `sites/${site.key}/origins`, { origin: originInput.value }); render(); }
      catch (error) { showError(originErr, error); }
    } },
    el('h3', {}, t('origins')), originsList,
    el('div', { class: 'row' }, originInput, el('button', { type: 'submit', id: 'add-origin' }, t('add'))),
    el('p', { class: 'hint' }, t('wildcardRule')), originErr);

    // Site key and embed snippet
    const snippet = el('textarea', { id: 'embed-snippet', rows: 3, readonly: true, class: 'mono',
      value: snippetFor(site.key) });
    const copied = el('span', { class: 'ok' });
    const keyCard = el('section', { class: 'card', id: 'site-key-card' },
      el('h3', {}, t('siteKey')), el('p', {}, el('code', { id: 'site-key' }, site.key), ' ',
        el('button', { type: 'button', id: 'regenerate-key', onclick: async () => {
          if (!confirm(t('confirmRegenerate'))) return;
          try { const s = await api('POST', `sites/${site.key}/key`, {}); selectedSiteKey = s.key; render(); }
          catch (error) { showError(err, error); }
        } }, t('regenerate'))),
      el('h3', {}, t('embed')), snippet,
      el('p', { class: 'row' }, el('button', { type: 'button', id: 'copy-snippet', onclick: async () => {
        snippet.select();
        try { await navigator.clipboard.writeText(snippet.value); } catch { document.execCommand('copy'); }
        copied.textContent = t('copied');
      } }, t('copy')), copied));

    // Secret keys
    const keysErr = errorBox();
    const once = el('div', { id: 'secret-once' });
    const keyLabel = el('input', { id: 'secret-label', maxlength: 200, placeholder: t('label') });
    const { secretKeys } = await api('GET', `sites/${site.key}/secret-keys`);
    const keysList = el('ul', { class: 'plain', id: 'secret-list' }, secretKeys.map((k) =>
      el('li', { 'data-key-id': k.id }, el('code', {}, `${k.prefix}…`), k.label, el('span', { class: 'hint' }, when(k.createdAt)),
        k.revokedAt ? el('span', { class: 'badge' }, t('revoked'))
          : el('button', { type: 'button', class: 'danger', onclick: async () => {
            try { await api('DELETE', `sites/${site.key}/secret-keys/${k.id}`); render(); }
            catch (error) { showError(keysErr, error); }
          } }, t('revoke')))));
    const keysCard = el('form', { class: 'card', id: 'secret-form', onsubmit: async (e) => {
      e.preventDefault();
      keysErr.textContent = '';
      try {
        const created = await api('POST', `sites/${site.key}/secret-keys`, { label: keyLabel.value });
        clear(once);
        once.append(el('div', { class: 'secret-once' }, el('p', {}, t('secretOnce')),
          el('code', { id: 'secret-value' }, created.secret)));
        keyLabel.value = '';
        keysList.append(el('li', { 'data-key-id': created.id }, el('code', {}, `${created.prefix}…`), created.label));
      } catch (error) { showError(keysErr, error); }
    } },
    el('h3', {}, t('secretKeys')), keysList, once,
    el('div', { class: 'row' }, keyLabel, el('button', { type: 'submit', id: 'generate-secret' }, t('generate'))), keysErr);

    box.append(settings, originsCard, keyCard, keysCard);
  }

  // Inbox
  const inboxFilter = { site: '', source: '', status: '' };
  let openConversation = null;
  async function renderInbox(main) {
    const { sites } = await api('GET', 'sites');
    const select = (id, key, options) => {
      const s = el('select', { id, onchange: () => { inboxFilter[key] = s.value; loadList(); } },
        options.map(([v, label]) => el('option', { value: v }, label)));
      s.value = inboxFilter[key];
      return s;
    };
    const filters = el('div', { class: 'row card' },
      select('filter-site', 'site', [['', t('allSites')], ...sites.map((s) => [s.key, s.name])]),
      select('filter-source', 'source', [['', t('allSources')], ['external', t('external')], ['main', t('main')]]),
      select('filter-status', 'status', [['', t('allStatuses')], ['open', t('open')], ['resolved', t('resolved')]]));
    const list = el('ul', { class: 'plain conv-list', id: 'conversation-list' });
    const pane = el('section', { class: 'card', id: 'conversation' }, el('p', { class: 'hint' }, t('selectConversation')));
    main.append(filters, el('div', { class: 'inbox' }, el('section', { class: 'card' }, list), pane));

    async function loadList() {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(inboxFilter)) if (v) q.set(k, v);
      const { conversations } = await api('GET', `conversations?${q}`);
      clear(list);
      if (!conversations.length) list.append(el('li', {}, t('noConversations')));
      for (const c of conversations) {
        list.append(el('li', { 'data-conversation-id': c.id, class: c.id === openConversation ? 'selected' : '',
          onclick: () => { openConversation = c.id; loadConversation(); loadList(); } },
        el('div', { class: 'row' },
          c.source === 'external'
            ? el('span', { class: 'badge external source-label' }, t('external'))
            : el('span', { class: 'badge source-label' }, t('main')),
          el('span', { class: 'conv-site' }, c.siteName),
          c.status === 'resolved' ? el('span', { class: 'badge resolved' }, t('resolved')) : null,
          c.unread ? el('span', { class: 'badge unread', title: t('unread') }, num(c.unread)) : null),
        el('div', { class: 'last' }, c.lastMessage || ''),
        el('div', { class: 'hint' }, when(c.lastMessageAt || c.createdAt))));
      }
    }

    async function loadConversation() {
      if (!openConversation) return;
      const c = await api('GET', `conversations/${openConversation}`);
      clear(pane);
      const thread = el('div', { class: 'thread', id: 'thread' }, c.messages.map((m) =>
        el('div', { class: `msg ${m.author}`, 'data-message-id': m.id },
          el('div', { class: 'text' }, m.text),
          el('div', { class: 'meta' }, `${t(m.author)} · ${when(m.createdAt)}`,
            m.author === 'agent' ? el('span', { class: 'reactions' }, ' · ',
              el('span', { class: 'likes' }, `${t('likes')}: ${num(m.likes)}`), ' · ',
              el('span', { class: 'dislikes' }, `${t('dislikes')}: ${num(m.dislikes)}`)) : null))));
      const err = errorBox();
      const text = el('textarea', { id: 'reply-text', rows: 2, maxlength: 2000 });
      const form = el('form', { id: 'reply-form', onsubmit: async (e) => {
        e.preventDefault();
        err.textContent = '';
        try {
          await api('POST', `conversations/${c.id}/messages`,
            { text: text.value, clientId: `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}` });
          text.value = '';
          loadConversation();
        } catch (error) { showError(err, error); }
      } }, el('label', { for: 'reply-text' }, t('reply')), text,
      el('p', { class: 'row' }, el('button', { class: 'primary', type: 'submit', id: 'send-reply' }, t('send')),
        el('button', { type: 'button', id: 'toggle-status', onclick: async () => {
          try { await api('POST', `conversations/${c.id}/${c.status === 'open' ? 'resolve' : 'reopen'}`, {});
            loadConversation(); loadList(); } catch (error) { showError(err, error); }
        } }, c.status === 'open' ? t('resolve') : t('reopen'))), err);
      pane.append(el('h2', { class: 'row' },
        c.source === 'external' ? el('span', { class: 'badge external source-label' }, t('external'))
          : el('span', { class: 'badge source-label' }, t('main')),
        el('span', { id: 'conversation-site' }, c.siteName),
        el('span', { class: 'badge', id: 'conversation-status' }, t(c.status))), thread, form);
      thread.scrollTop = thread.scrollHeight;
    }

    let listTimer = null;
    listeners.add((event) => {
      if (event.type === 'connected') { loadList(); loadConversation(); return; }
      const id = event.payload && event.payload.conversationId;
      if (id && id === openConversation) loadConversation();
      clearTimeout(listTimer);
      listTimer = setTimeout(loadList, 150);
    });
    await loadList();
    await loadConversation();
  }

  // Admins
  async function renderAdmins(main) {
    const { admins } = await api('GET', 'admins');
    const err = errorBox();
    const list = el('ul', { class: 'plain', id: 'admin-list' }, admins.map((a) => {
      const pwErr = errorBox();
      const current = el('input', { type: 'password', autocomplete: 'current-password', placeholder: t('currentPassword') });
      const next = el('input', { type: 'password', autocomplete: 'new-password', placeholder: t('newPassword'), minlength: 8 });
      const self = me && a.username === me.username;
      const pwForm = el('form', { class: 'row', onsubmit: async (e) => {
        e.preventDefault();
        pwErr.textContent = '';
        try {
          await api('PUT', `admins/${encodeURIComponent(a.username)}/password`,
            self ? { password: next.value, currentPassword: current.value } : { password: next.value });
          next.value = ''; current.value = ''; pwErr.className = 'ok'; pwErr.textContent = t('saved');
        } catch (error) { pwErr.className = 'error'; showError(pwErr, error); }
      } }, self ? current : null, next, el('button', { type: 'submit' }, t('changePassword')), pwErr);
      return el('li', { 'data-username': a.username },
        el('strong', {}, a.displayName), el('code', {}, a.username), self ? el('span', { class: 'badge' }, t('you')) : null,
        self ? null : el('button', { class: 'danger', type: 'button', onclick: async () => {
          if (!confirm(t('confirmRemoveAdmin'))) return;
          try { await api('DELETE', `admins/${encodeURIComponent(a.username)}`); render(); }
          catch (error) { showError(err, error); }
        } }, t('remove')), pwForm);
    }));
    const u = el('input', { id: 'new-admin-username', required: true, maxlength: 100, autocomplete: 'off' });
    const d = el('input', { id: 'new-admin-display', maxlength: 200 });
    const p = el('input', { id: 'new-admin-password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' });
    const addErr = errorBox();
    main.append(el('section', { class: 'card' }, el('h2', {}, t('admins')), list, err),
      el('form', { class: 'card', id: 'add-admin-form', onsubmit: async (e) => {
        e.preventDefault();
        addErr.textContent = '';
        try { await api('POST', 'admins', { username: u.value, displayName: d.value, password: p.value }); render(); }
        catch (error) { showError(addErr, error); }
      } }, el('h2', {}, t('addAdmin')),
      el('label', { for: 'new-admin-username' }, t('username')), u,
      el('label', { for: 'new-admin-display' }, t('displayName')), d,
      el('label', { for: 'new-admin-password' }, t('password')), p,
      el('p', {}, el('button', { class: 'primary', type: 'submit' }, t('add'))), addErr));
  }

  // Audit log
  async function renderAudit(main) {
    const body = el('tbody', { id: 'audit-rows' });
    let before = 0;
    const more = el('button', { type: 'button', onclick: () => load() }, t('more'));
    async function load() {
      const { entries } = await api('GET', `audit?limit=100${before ? `&before=${before}` : ''}`);
      for (const e of entries) {
        body.append(el('tr', {}, el('td', {}, when(e.createdAt)), el('td', {}, e.actor),
          el('td', {}, el('code', {}, e.action)), el('td', {}, el('code', {}, e.target)),
          el('td', { class: 'mono' }, JSON.stringify(e.detail))));
        before = e.id;
      }
      more.hidden = entries.length < 100;
    }
    main.append(el('section', { class: 'card' }, el('h2', {}, t('audit')),
      el('table', { class: 'audit' }, el('thead', {}, el('tr', {},
        ['when', 'who', 'what', 'target', 'details'].map((k) => el('th', {}, t(k))))), body), more));
    await load();
  }

  // --- start ---------------------------------------------------------------------------------------
  window.addEventListener('hashchange', () => { if (me) render(); });
  applyLang();
  (async () => {
    try {
      const s = await api('GET', 'session');
      csrf = s.csrfToken; me = s.admin;
      startStream();
      render();
    } catch { /* showLogin() already ran on 401 */ if (!me) showLogin(); }
  })();
})();
