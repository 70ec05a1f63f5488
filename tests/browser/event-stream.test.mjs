// The shared event-stream parser as the frame and the panel run it: bundled by esbuild and run in
// Chromium, it must give exactly the events it gives in Node (tests/unit/js holds the rules) for a
// stream cut at every byte, inside a CRLF, a BOM and multi-byte characters too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { eventStreamParser } from '../../shared-js/event-stream.js';
import { launch } from '../lib/browser.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STREAM = '\uFEFFretry: 2000\r\n\r\n: ready\r\n\r\nid: 1\r\nevent: message\r\ndata: {"text":"سلام 👋"}\r\n\r\n'
  + 'id: 2\r\nevent: status\r\ndata: {"a":1}\r\ndata: {"b":2}\r\n\r\nid: 3\revent: reset\rdata: {}\rdata: []\r\r'
  + 'id: 4\ndata: cut';

/** For each cut of the bytes into two chunks: the events and the last id and retry after them. */
function everyCut(parserFactory, bytes) {
  const results = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const events = [];
    const parser = parserFactory((event) => events.push(event));
    parser.push(bytes.slice(0, cut));
    parser.push(bytes.slice(cut));
    results.push({ events, lastEventId: parser.lastEventId, retry: parser.retry });
  }
  return results;
}

test('Chromium gives the same events as Node for every cut of a stream', async () => {
  const bundled = await build({
    entryPoints: [join(ROOT, 'shared-js', 'event-stream.js')],
    bundle: true, minify: true, format: 'iife', globalName: 'eventStream', write: false, logLevel: 'warning',
  });
  const bytes = new TextEncoder().encode(STREAM);
  const inNode = everyCut(eventStreamParser, bytes);
  assert.equal(inNode[0].events.length, 3);
  assert.equal(inNode[0].events[2].data, '{}\n[]');
  assert.deepEqual(inNode[0].events[1], { type: 'status', data: '{"a":1}\n{"b":2}', lastEventId: '2' });
  for (const [cut, result] of inNode.entries()) assert.deepEqual(result, inNode[0], `cut at byte ${cut}`);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: bundled.outputFiles[0].text });
    const inChromium = await page.evaluate(`(${everyCut})(eventStream.eventStreamParser, new Uint8Array(${JSON.stringify([...bytes])}))`);
    assert.deepEqual(inChromium, inNode);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
