// External Sites: the list, the add form, and the selected site's settings, origins, key and
// secret keys.
import { api } from './api.js';
import { view } from './app.js';
import { clear, el, errorBox, showError } from './dom.js';
import { t, when } from './i18n.js';
import { hoursCard } from './hours.js';

let selectedSiteKey = null;
export async function renderSites(main) {
  const { sites } = await api('GET', 'sites');
  const list = el('ul', { class: 'plain site-list', id: 'site-list' });
  if (!sites.length) list.append(el('li', {}, t('noSites')));
  for (const s of sites) {
    list.append(el('li', { class: s.key === selectedSiteKey ? 'selected' : '', 'data-site-key': s.key,
      onclick: () => { selectedSiteKey = s.key; view.render(); } },
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
      view.render();
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
  return `<script src="${location.origin}/widget.js" data-site-id="${key}"></script>\n<div id="chat-container"></div>`;
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
      setTimeout(view.render, 400);
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
      try { await api('DELETE', `sites/${site.key}`); selectedSiteKey = null; view.render(); }
      catch (error) { showError(err, error); }
    } }, t('remove'))), err);

  // Origins
  const originErr = errorBox();
  const originInput = el('input', { id: 'origin-input', placeholder: 'https://shop.example', class: 'mono' });
  const originsList = el('ul', { class: 'plain', id: 'origin-list' }, site.origins.map((o) =>
    el('li', { 'data-origin': o }, el('code', {}, o), el('button', { class: 'danger', type: 'button',
      onclick: async () => {
        try { await api('DELETE', `sites/${site.key}/origins`, { origin: o }); view.render(); }
        catch (error) { showError(originErr, error); }
      } }, t('remove')))));
  const originsCard = el('form', { class: 'card', id: 'origins-form', onsubmit: async (e) => {
    e.preventDefault();
    originErr.textContent = '';
    try { await api('POST', `sites/${site.key}/origins`, { origin: originInput.value }); view.render(); }
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
        try { const s = await api('POST', `sites/${site.key}/key`, {}); selectedSiteKey = s.key; view.render(); }
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
      k.canSignIdentities ? '' : el('span', { class: 'hint', 'data-no-identity': '' }, t('cannotSignIdentities')),
      k.revokedAt ? el('span', { class: 'badge' }, t('revoked'))
        : el('button', { type: 'button', class: 'danger', onclick: async () => {
          try { await api('DELETE', `sites/${site.key}/secret-keys/${k.id}`); view.render(); }
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

  box.append(settings, await hoursCard(site), originsCard, keyCard, keysCard);
}
