// Office hours per site: set with edgechatctl, read through the admin API (and back through the
// CLI), changed and cleared through the API; a bad zone, overlapping or inverted intervals, a
// bad day or date and a too-long away text are refused with a clear error and change nothing.
// Visitors: a guest stream sees `outside_hours` with the away text (even with an agent online),
// then the agents' state once the hours are changed to open, and the flip at a boundary a minute
// ahead, live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack } from '../lib/stack.mjs';
import { openStream, nextPresence } from '../lib/presence.mjs';
import { workerRequest } from '../lib/worker.mjs';
import { newGuest, postWorkerMessage } from '../lib/guest.mjs';
import { adminCall, adminLogin } from '../lib/admin.mjs';

let stack;
let admin;

before(async () => {
  stack = await startStack({ env: { EDGECHAT_PRESENCE_POLL_MS: '200' } });
  admin = await adminLogin(stack.chatUrl, 'admin', stack.adminPassword);
});
after(async () => { await stack?.stop(); });

const hoursPath = () => `sites/${stack.siteKey}/hours`;

test('hours set with the CLI are read by the API and the CLI; PUT and DELETE through the API', async () => {
  const none = await adminCall(stack.chatUrl, 'GET', hoursPath(), undefined, { who: admin });
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.json, { site: stack.siteKey, openNow: true, hours: null });

  const set = await stack.ctlJson(['site', 'hours', stack.siteKey, '--zone', 'Asia/Tehran',
    '--mon', '13:00-17:00,09:00-12:00', '--fri', '10:00-14:00', '--holiday', '2031-03-21',
    '--holiday', '2030-03-21', '--away-text', '  Back at nine  ']);
  assert.equal(set.site, stack.siteKey);
  assert.equal(typeof set.openNow, 'boolean');
  const expected = {
    timeZone: 'Asia/Tehran',
    week: { mon: ['09:00-12:00', '13:00-17:00'], tue: [], wed: [], thu: [], fri: ['10:00-14:00'], sat: [], sun: [] },
    holidays: ['2030-03-21', '2031-03-21'],
    awayText: 'Back at nine',
  };
  assert.deepEqual(set.hours, expected, 'sorted, trimmed');
  const read = await adminCall(stack.chatUrl, 'GET', hoursPath(), undefined, { who: admin });
  assert.equal(read.status, 200);
  assert.deepEqual(read.json.hours, expected);
  const text = await stack.ctl(['site', 'hours', stack.siteKey]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /zone\s+Asia\/Tehran/);
  assert.match(text.stdout, /mon\s+09:00-12:00, 13:00-17:00/);
  assert.match(text.stdout, /tue\s+closed/);

  // Every day open all day in UTC: open now, whatever the clock says.
  const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-24:00']]));
  const put = await adminCall(stack.chatUrl, 'PUT', hoursPath(), { timeZone: 'UTC', week: allDay, awayText: 'سلام' }, { who: admin });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.openNow, true);
  assert.equal(put.json.hours.awayText, 'سلام');
  // No interval at all: closed now.
  const closed = await adminCall(stack.chatUrl, 'PUT', hoursPath(), { timeZone: 'Europe/Berlin' }, { who: admin });
  assert.equal(closed.status, 200, closed.text);
  assert.equal(closed.json.openNow, false);
  const cli = await stack.ctlJson(['site', 'hours', stack.siteKey]);
  assert.equal(cli.hours.timeZone, 'Europe/Berlin');
  assert.equal(cli.openNow, false);

  const del = await adminCall(stack.chatUrl, 'DELETE', hoursPath(), undefined, { who: admin });
  assert.equal(del.status, 200, del.text);
  assert.deepEqual(del.json, { site: stack.siteKey, openNow: true, hours: null });
  const cleared = await stack.ctlJson(['site', 'hours', stack.siteKey]);
  assert.equal(cleared.hours, null);
  // And the CLI's --clear.
  await stack.ctlJson(['site', 'hours', stack.siteKey, '--zone', 'UTC']);
  assert.equal((await stack.ctlJson(['site', 'hours', stack.siteKey, '--clear'])).hours, null);
});

test('bad hours are refused with a clear error and change nothing', async () => {
  await stack.ctlJson(['site', 'hours', stack.siteKey, '--zone', 'UTC', '--tue', '09:00-17:00']);
  const cases = [
    [{ timeZone: 'Mars/Olympus' }, /time zone/i],
    [{ timeZone: '../../etc/passwd' }, /time zone/i],
    [{ timeZone: 'UTC', week: { mon: ['09:00-12:00', '11:00-13:00'] } }, /interval|hours|HH:MM/i],
    [{ timeZone: 'UTC', week: { mon: ['17:00-09:00'] } }, /interval|hours|HH:MM/i],
    [{ timeZone: 'UTC', week: { mon: ['9-5'] } }, /interval|hours|HH:MM/i],
    [{ timeZone: 'UTC', week: { mon: Array.from({ length: 7 }, (_, i) => `0${i}:00-0${i}:30`) } }, /interval|hours|HH:MM/i],
    [{ timeZone: 'UTC', week: { funday: ['09:00-10:00'] } }, /weekday|timeZone/i],
    [{ timeZone: 'UTC', holidays: ['2026-02-30'] }, /date|holiday/i],
    [{ timeZone: 'UTC', awayText: 'x'.repeat(501) }, /away text|500/i],
    [{ week: {} }, /weekday|timeZone/i],
  ];
  // The admin API's code for refused input is invalid_input (docs/api.md); the message says why.
  for (const [body, why] of cases) {
    const r = await adminCall(stack.chatUrl, 'PUT', hoursPath(), body, { who: admin });
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
    assert.ok(r.json.error && r.json.message, r.text);
    assert.equal(r.json.error, 'invalid_input', r.text);
    assert.match(r.json.message, why, r.text);
  }
  for (const args of [['--zone', 'Nowhere/Land'], ['--zone', 'UTC', '--mon', '09:00-12:00,10:00-11:00'], ['--mon', '09:00-10:00']]) {
    const r = await stack.ctl(['site', 'hours', stack.siteKey, ...args, '--json']);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const err = JSON.parse(r.stderr.trim().split('\n').pop());
    assert.ok(err.error && err.message, r.stderr);
    assert.doesNotMatch(r.stdout, /"hours"/, 'nothing printed as set');
  }
  const unknown = await adminCall(stack.chatUrl, 'GET', 'sites/sk_nosuchsite0000000000/hours', undefined, { who: admin });
  assert.equal(unknown.status, 404);
  const noCsrf = await adminCall(stack.chatUrl, 'PUT', hoursPath(), { timeZone: 'UTC' }, { who: admin, csrf: false });
  assert.equal(noCsrf.status, 403);
  const still = await adminCall(stack.chatUrl, 'GET', hoursPath(), undefined, { who: admin });
  assert.deepEqual(still.json.hours.week.tue, ['09:00-17:00'], 'nothing changed');
  assert.equal(still.json.hours.timeZone, 'UTC');
});

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];  // Date#getUTCDay order

test('a guest stream sees outside_hours with the away text, even with an agent online, and the flip live', { timeout: 120000 }, async () => {
  const socket = join(stack.varDir, 'run', 'worker.sock');
  await adminCall(stack.chatUrl, 'DELETE', hoursPath(), undefined, { who: admin });
  const beat = (state) => workerRequest(socket, 'POST', '/api/v1/admin/presence', {
    headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'application/json' },
    body: { state, idleMs: 0 },
  });
  assert.equal((await beat('online')).status, 200);
  const guest = await newGuest(stack);
  await postWorkerMessage(stack, guest.token, 'open?', `h-${Math.random()}`);
  const stream = await openStream(socket, { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}` });
  try {
    assert.deepEqual((await nextPresence(stream)).data, { state: 'online' });
    // Closed all week (UTC, no interval): outside hours wins over the online agent.
    const away = 'Back Monday 9:00 — تا دوشنبه';
    const closed = await adminCall(stack.chatUrl, 'PUT', hoursPath(), { timeZone: 'UTC', awayText: away }, { who: admin });
    assert.equal(closed.status, 200, closed.text);
    assert.deepEqual((await nextPresence(stream)).data, { state: 'outside_hours', awayText: away });
    // A stream that opens now starts with it.
    const late = await openStream(socket, { 'Site-Key': stack.siteKey, Authorization: `Bearer ${guest.token}` });
    try {
      assert.deepEqual((await nextPresence(late)).data, { state: 'outside_hours', awayText: away });
    } finally { late.close(); }
    // Open all day: the agents' state again.
    const allDay = Object.fromEntries(DAYS.map((d) => [d, ['00:00-24:00']]));
    await adminCall(stack.chatUrl, 'PUT', hoursPath(), { timeZone: 'UTC', week: allDay, awayText: away }, { who: admin });
    assert.deepEqual((await nextPresence(stream)).data, { state: 'online' });
    // A boundary at the next whole minute (UTC): closed until then, open from then on.
    const at = new Date(Math.ceil((Date.now() + 2000) / 60000) * 60000);
    const hhmm = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
    const put = await adminCall(stack.chatUrl, 'PUT', hoursPath(),
      { timeZone: 'UTC', week: { [DAYS[at.getUTCDay()]]: [`${hhmm}-24:00`] }, awayText: 'soon' }, { who: admin });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.openNow, false);
    assert.deepEqual((await nextPresence(stream)).data, { state: 'outside_hours', awayText: 'soon' });
    const flipped = await nextPresence(stream, at.getTime() - Date.now() + 5000);
    assert.deepEqual(flipped.data, { state: 'online' });
    assert.ok(Date.now() >= at.getTime() - 50, 'not before the boundary');
    assert.ok(Date.now() < at.getTime() + 3000, 'within a few polls of the boundary');
    // The agent leaves: the site is open, so visitors see away.
    await beat('offline');
    assert.deepEqual((await nextPresence(stream)).data, { state: 'away' });
  } finally {
    stream.close();
    await beat('offline');
  }
});
