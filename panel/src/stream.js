// Live updates: the admin event stream over fetch (so the session cookie and Last-Event-ID go
// with it), read by the parser the frame and the tests use; reconnects until stopped.
import { eventStreamParser } from '../../shared-js/event-stream.js';
import { EVENTS_URL } from './api.js';
import { view } from './app.js';
import { t } from './i18n.js';

/** The open page's handlers: each gets {type: 'connected'} or {type, data, payload}. */
export const listeners = new Set();
let stop = null;

export function stopStream() {
  if (stop) { stop(); stop = null; }
}

export function startStream() {
  if (stop) return;
  const controller = new AbortController();
  let stopped = false;
  stop = () => { stopped = true; controller.abort(); };
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
        const response = await fetch(EVENTS_URL, { headers, credentials: 'same-origin',
          cache: 'no-store', signal: controller.signal });
        if (response.status === 401) { stopped = true; view.showLogin(); return; }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        setState(true);
        listeners.forEach((fn) => fn({ type: 'connected' }));
        const parser = eventStreamParser(({ type, data, lastEventId }) => {
          if (lastEventId) lastId = lastEventId;
          let payload;
          try { payload = JSON.parse(data); } catch { return; }
          listeners.forEach((fn) => fn({ type, data, payload }));
        });
        const reader = response.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch (error) {
        if (stopped) return;
      }
      setState(false);
      await new Promise((r) => setTimeout(r, 1500));
    }
  })();
}
