// The audit log, newest first, a hundred entries a page.
import { api } from './api.js';
import { el } from './dom.js';
import { t, when } from './i18n.js';

export async function renderAudit(main) {
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
