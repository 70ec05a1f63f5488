// Admins: the list, passwords, add and remove.
import { api } from './api.js';
import { session, view } from './app.js';
import { el, errorBox, showError } from './dom.js';
import { t } from './i18n.js';
import { mailPreferencesCard } from './mail.js';

export async function renderAdmins(main) {
  const { admins } = await api('GET', 'admins');
  const err = errorBox();
  const list = el('ul', { class: 'plain', id: 'admin-list' }, admins.map((a) => {
    const pwErr = errorBox();
    const current = el('input', { type: 'password', autocomplete: 'current-password', placeholder: t('currentPassword') });
    const next = el('input', { type: 'password', autocomplete: 'new-password', placeholder: t('newPassword'), minlength: 8 });
    const self = session.me && a.username === session.me.username;
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
        try { await api('DELETE', `admins/${encodeURIComponent(a.username)}`); view.render(); }
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
      try { await api('POST', 'admins', { username: u.value, displayName: d.value, password: p.value }); view.render(); }
      catch (error) { showError(addErr, error); }
    } }, el('h2', {}, t('addAdmin')),
    el('label', { for: 'new-admin-username' }, t('username')), u,
    el('label', { for: 'new-admin-display' }, t('displayName')), d,
    el('label', { for: 'new-admin-password' }, t('password')), p,
    el('p', {}, el('button', { class: 'primary', type: 'submit' }, t('add'))), addErr));
  main.append(await mailPreferencesCard());
}
