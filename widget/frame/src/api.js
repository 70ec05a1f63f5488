// The external API: calls with the site key and the guest's token, the guest identity, and
// retries of transient failures.
import { setStatus, sleep } from './dom.js';
import { saveOwnGuest, setSeen, siteKey, toParent } from './host.js';
import { t } from './i18n.js';

export const API = '/api/v1/external/';

export let guest = null;
export const setGuest = (g) => { guest = g; };

export class HttpError extends Error {
  constructor(status, body, retryAfter) {
    super(body.message || body.error || `HTTP ${status}`);
    this.status = status;
    this.code = body.error || '';
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

export async function call(method, path, body, auth = true) {
  const headers = { 'Site-Key': siteKey };
  if (auth && guest) headers.Authorization = `Bearer ${guest.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(API + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  let json = {};
  try {
    json = await res.json();
  } catch {
    // an empty or non-JSON body (a proxy's error page): keep the status
  }
  if (!res.ok) throw new HttpError(res.status, json, retryAfterMs(res));
  return { status: res.status, json };
}

function retryAfterMs(res) {
  const s = Number(res.headers.get('Retry-After'));
  return Number.isFinite(s) && s > 0 ? Math.min(s, 600) * 1000 : 0;
}

export async function newGuest() {
  const { json } = await call('POST', 'guests', {}, false);
  guest = { guestId: json.guestId, token: json.token };
  setSeen(null);
  saveOwnGuest(guest);
  toParent('guest', { guest });
}

// Runs fn with a valid guest; an unknown or expired token gets a fresh guest once.
export async function withGuest(fn) {
  if (!guest) await newGuest();
  try {
    return await fn();
  } catch (e) {
    if (e.status !== 401) throw e;
    await newGuest();
    return fn();
  }
}

// Retries transient failures (network, 5xx, 429) forever with capped backoff or Retry-After,
// showing why: offline, unavailable, or the site's own rate-limit text.
export async function persist(reason, fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await fn();
      setStatus(reason, null);
      return result;
    } catch (e) {
      const limited = e instanceof HttpError && e.status === 429;
      if (e instanceof HttpError && e.status < 500 && !limited) throw e;
      const text = limited ? e.body.message || t.rateLimited : navigator.onLine === false ? t.offline : t.unavailable;
      setStatus(reason, text);
      const backoff = Math.min(30000, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2);
      await sleep(e.retryAfter || (limited ? 5000 : backoff));
    }
  }
}
