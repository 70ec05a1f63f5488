// Calls of the admin API through the edge, as the panel makes them.
import assert from 'node:assert/strict';

/**
 * `method` on /api/v1/admin/`path` of the chat server at `chatUrl` as `who` ({cookie, csrf}, or
 * null for no session); `csrf` overrides who's token (false leaves it out). Resolves to
 * {status, json, text, headers}.
 */
export async function adminCall(chatUrl, method, path, body, { who, csrf } = {}) {
  const headers = { Accept: 'application/json' };
  if (who) headers.Cookie = who.cookie;
  const token = csrf === undefined ? who?.csrf : csrf;
  if (token) headers['X-CSRF-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${chatUrl}/api/v1/admin/${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, headers: res.headers };
}

/** Logs `username` in through the edge, asserting the 200; resolves to {cookie, csrf} for adminCall, setCookie and body. */
export async function adminLogin(chatUrl, username, password) {
  const res = await fetch(`${chatUrl}/api/v1/admin/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `admin login: ${res.status} ${text}`);
  const body = JSON.parse(text);
  const setCookie = res.headers.get('set-cookie');
  return { cookie: setCookie.split(';')[0], csrf: body.csrfToken, setCookie, body };
}
