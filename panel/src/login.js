// The login page; a successful login opens the event stream and draws the current page.
import { api } from './api.js';
import { root, session, view } from './app.js';
import { clear, el, errorBox, showError } from './dom.js';
import { t, toggleLang } from './i18n.js';
import { startPresence } from './presence.js';
import { startStream, stopStream } from './stream.js';

export function showLogin() {
  stopStream();
  clear(root);
  const err = errorBox();
  const user = el('input', { id: 'login-username', autocomplete: 'username', required: true });
  const pass = el('input', { id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
  const form = el('form', { class: 'card login', id: 'login-form', onsubmit: async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const s = await api('POST', 'login', { username: user.value, password: pass.value });
      session.csrf = s.csrfToken; session.me = s.admin;
      startStream();
      startPresence();
      view.render();
    } catch (error) { showError(err, error); }
  } },
  el('h1', {}, t('title')),
  el('label', { for: 'login-username' }, t('username')), user,
  el('label', { for: 'login-password' }, t('password')), pass,
  el('p', {}, el('button', { class: 'primary', type: 'submit' }, t('login'))), err,
  el('button', { type: 'button', onclick: () => { toggleLang(); showLogin(); } }, t('language')));
  root.append(form);
  user.focus();
}
