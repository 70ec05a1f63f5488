// The signed-in admin's email notifications (GET/PUT mail-preferences): address, language, and
// which mails (new conversations; a visitor waiting N minutes). Refused input shows the server's
// message; nothing is kept until the server accepts it.
import { api } from './api.js';
import { el, errorBox, showError } from './dom.js';
import { t } from './i18n.js';

export async function mailPreferencesCard() {
  const prefs = await api('GET', 'mail-preferences');
  const email = el('input', { id: 'mail-email', type: 'email', maxlength: 254, autocomplete: 'email', value: prefs.email, dir: 'ltr' });
  const locale = el('select', { id: 'mail-locale' },
    el('option', { value: 'en' }, 'English'), el('option', { value: 'fa' }, 'فارسی'));
  locale.value = prefs.locale;
  const fresh = el('input', { id: 'mail-new-conversation', type: 'checkbox', checked: prefs.newConversation });
  const minutes = el('input', { id: 'mail-unanswered', type: 'number', min: 0, max: 10080, step: 1, value: prefs.unansweredMinutes });
  const status = errorBox();
  return el('form', { class: 'card', id: 'mail-preferences-form', onsubmit: async (e) => {
    e.preventDefault();
    status.className = 'error';
    status.textContent = '';
    try {
      const saved = await api('PUT', 'mail-preferences', {
        email: email.value, locale: locale.value, newConversation: fresh.checked,
        unansweredMinutes: Number(minutes.value || 0),
      });
      email.value = saved.email;
      status.className = 'ok';
      status.textContent = t('saved');
    } catch (error) { showError(status, error); }
  } }, el('h2', {}, t('myMail')),
  el('label', { for: 'mail-email' }, t('mailEmail')), email,
  el('label', { for: 'mail-locale' }, t('mailLocale')), locale,
  el('label', { for: 'mail-new-conversation' }, fresh, ' ', t('mailNewConversation')),
  el('label', { for: 'mail-unanswered' }, t('mailUnanswered')), minutes,
  el('p', {}, el('button', { class: 'primary', type: 'submit' }, t('save'))), status);
}
