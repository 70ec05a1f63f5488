// edgechat admin panel: plain JavaScript, no framework, bundled by panel/build.mjs. Every text
// from the server is put in the page with textContent (through el() in dom.js), never as HTML.
// This module routes: one page module per tab, the login page, and the start.
import { renderAdmins } from './admins.js';
import { api } from './api.js';
import { session, view } from './app.js';
import { renderAudit } from './audit.js';
import { errorBox, showError } from './dom.js';
import { applyLang } from './i18n.js';
import { renderInbox } from './inbox.js';
import { showLogin } from './login.js';
import { currentRoute, shell } from './shell.js';
import { renderSites } from './sites.js';
import { startPresence } from './presence.js';
import { listeners, startStream } from './stream.js';

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

view.render = render;
view.showLogin = showLogin;
window.addEventListener('hashchange', () => { if (session.me) render(); });
applyLang();
(async () => {
  try {
    const s = await api('GET', 'session');
    session.csrf = s.csrfToken; session.me = s.admin;
    startStream();
    startPresence();
    render();
  } catch { /* showLogin() already ran on 401 */ if (!session.me) showLogin(); }
})();
