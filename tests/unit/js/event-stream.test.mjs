// The shared event-stream parser (shared-js/event-stream.js) against the HTML standard's rules:
// the frame, the panel and the integration tests all read their streams with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventStreamParser } from '../../../shared-js/event-stream.js';

/** Feeds the chunks to a fresh parser; returns the events and the parser. */
function parse(...chunks) {
  const events = [];
  const parser = eventStreamParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return { events, parser };
}

const bytes = (text) => new TextEncoder().encode(text);

test('fields, the default type and the id that stays until it is set again', () => {
  const { events, parser } = parse('id: 7\nevent: reaction\ndata: {"a":1}\n\ndata: two\n\n');
  assert.deepEqual(events, [
    { type: 'reaction', data: '{"a":1}', lastEventId: '7' },
    { type: 'message', data: 'two', lastEventId: '7' },
  ]);
  assert.equal(parser.lastEventId, '7');
});

test('multi-line data is joined with LF; one space after the colon is dropped, no more', () => {
  const { events } = parse('data:first\ndata:  second\ndata\ndata: \n\n');
  assert.deepEqual(events.map((e) => e.data), ['first\n second\n\n']);
});

test('CR, LF and CRLF all end lines, mixed in one stream', () => {
  const { events } = parse('data: a\r\rdata: b\n\ndata: c\r\n\r\nevent: x\rdata: d\r\n\n');
  assert.deepEqual(events.map((e) => [e.type, e.data]), [['message', 'a'], ['message', 'b'], ['message', 'c'], ['x', 'd']]);
});

test('a chunk boundary anywhere gives the same events, inside a CRLF too', () => {
  const stream = 'retry: 2000\r\n\r\n: ready\r\n\r\nid: 1\r\nevent: message\r\ndata: {"t":"سلام 👋"}\r\n\r\n'
    + 'id: 2\revent: status\rdata: x\r\rid: 3\nevent: reset\ndata: y\n\n';
  const whole = parse(stream).events;
  assert.equal(whole.length, 3);
  for (let cut = 0; cut <= stream.length; cut++) {
    assert.deepEqual(parse(stream.slice(0, cut), stream.slice(cut)).events, whole, `text cut at ${cut}`);
  }
  const encoded = bytes(stream);
  for (let cut = 0; cut <= encoded.length; cut++) {
    assert.deepEqual(parse(encoded.slice(0, cut), encoded.slice(cut)).events, whole, `bytes cut at ${cut}`);
  }
  // One character at a time: a CR at the end of every other chunk.
  assert.deepEqual(parse(...stream).events, whole);
});

test('a CRLF split over chunks ends one line, not two', () => {
  // Read wrongly, the LF after the CR would be an empty line and dispatch the half-built event.
  const { events } = parse('data: a\r', '\ndata: b\r', '\n\r', '\n');
  assert.deepEqual(events.map((e) => e.data), ['a\nb']);
});

test('comments, unknown fields and events without data are not dispatched', () => {
  const { events, parser } = parse(': keep-alive\n\nfoo: bar\n\nid: 4\n\nevent: x\n\ndata: y\n\n');
  assert.deepEqual(events, [{ type: 'message', data: 'y', lastEventId: '4' }]);
  assert.equal(parser.lastEventId, '4');
});

test('an event type is not carried over to the next event', () => {
  const { events } = parse('event: a\n\ndata: 1\n\nevent: b\ndata: 2\n\ndata: 3\n\n');
  assert.deepEqual(events.map((e) => e.type), ['message', 'b', 'message']);
});

test('an id with NUL is ignored; an empty id clears the last one', () => {
  const { events } = parse('id: 5\ndata: a\n\nid: 6\0x\ndata: b\n\nid\ndata: c\n\n');
  assert.deepEqual(events.map((e) => e.lastEventId), ['5', '5', '']);
});

test('retry takes ASCII digits only', () => {
  const { parser } = parse('retry: 2000\n\n');
  assert.equal(parser.retry, 2000);
  parser.push('retry: 1.5\n\nretry: -1\n\nretry:\n\nretry: 12a\n\n');
  assert.equal(parser.retry, 2000);
  parser.push('retry:300\n\n');
  assert.equal(parser.retry, 300);
});

test('a BOM at the start is dropped once, as text or as bytes; a later one is data', () => {
  for (const first of ['\uFEFFdata: a\n\n', bytes('\uFEFFdata: a\n\n')]) {
    assert.deepEqual(parse(first).events.map((e) => e.data), ['a']);
  }
  // Split inside the BOM's three bytes.
  const split = bytes('\uFEFFdata: a\n\n');
  assert.deepEqual(parse(split.slice(0, 1), split.slice(1, 2), split.slice(2)).events.map((e) => e.data), ['a']);
  // A second BOM starts a field name that is not "data": the line is ignored.
  assert.deepEqual(parse('\uFEFF\uFEFFdata: a\n\ndata: b\n\n').events.map((e) => e.data), ['b']);
});

test('an event the stream ends in the middle of is never dispatched', () => {
  const { events } = parse('data: done\n\ndata: cut off\n');
  assert.deepEqual(events.map((e) => e.data), ['done']);
});

test('a field name is case-sensitive and a colon in the value stays', () => {
  const { events } = parse('Data: no\nDATA: no\ndata: {"url":"https://x.test:8080/"}\n\n');
  assert.deepEqual(events.map((e) => e.data), ['{"url":"https://x.test:8080/"}']);
});
