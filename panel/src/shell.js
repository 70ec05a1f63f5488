// The frame of every page once logged in: the tabs, the live state, the language switch, log out.
import { api } from './api.js';
import { root, session, view } from './app.js';
import { clear, el } from './dom.js';
import { t, toggleLang } from './i18n.js';
import { presenceControl, stopPresence } from './presence.js';

export const ROUTES = ['inbox', 'sites', 'admins', 'audit'];

export function currentRoute() {
  const r = location.hash.replace(/^#\/?/, '').split('/')[0];
  return ROUTES.includes(r) ? r : 'inbox';
}

/** Draws the header and returns the empty main element for the page. */
export function shell() {
  clear(root);
  const { me } = session;
  const nav = el('nav', { class: 'tabs' }, ROUTES.map((r) =>
    el('a', { href: `#/${r}`, id: `tab-${r}`, class: currentRoute() === r ? 'active' : '' }, t(r))));
  const header = el('header', { class: 'top' },
    el('span', { class: 'brand' }, t('title')), nav,
    el('span', { class: 'hint', id: 'live-state' }),
    presenceControl(),
    el('span', { class: 'hint' }, me ? me.username : ''),
    el('button', { id: 'lang', onclick: () => { toggleLang(); view.render(); } }, t('language')),
    el('button', { id: 'logout', onclick: logout }, t('logout')));
  const main = el('main', { id: 'main' });
  root.append(header, main);
  return main;
}

async function logout() {
  await stopPresence();
  try { await api('POST', 'logout', {}); } catch { /* shown as the login page anyway */ }
  session.me = null; session.csrf = '';
  view.showLogin();
}
