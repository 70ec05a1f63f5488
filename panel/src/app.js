// What every page shares: the session, the element the panel draws into, and the two ways to
// redraw. main.js sets render and showLogin, so a page can redraw without importing the router
// that imports it.
export const session = { csrf: '', me: null };
export const root = document.getElementById('app');
export const view = { render: async () => {}, showLogin: () => {} };
