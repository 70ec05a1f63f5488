// The one text/event-stream parser of edgechat, shared by the frame, the panel and the tests: the
// HTML standard's "event stream interpretation" (fields data, event, id, retry; comments; CR, LF
// and CRLF line ends; chunks cut anywhere, inside a CRLF or a UTF-8 sequence too).

/**
 * Returns a parser; push() takes the response body's chunks (bytes or already decoded text, one
 * kind per stream) and calls onEvent({type, data, lastEventId}) for every complete event with
 * data, in order. A last unterminated event is never dispatched, as the standard says.
 * `lastEventId` is the stream's last event id ('' until one is set); `retry` the reconnection time
 * the server asked for in ms (null until it asks).
 */
export function eventStreamParser(onEvent) {
  // Decoding keeps the BOM so that it is stripped below once, whether bytes or text come in.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let started = false;
  let afterCR = false; // the last chunk ended with CR: an LF first in the next one ends no line
  let line = '';
  let data = '';
  let type = '';
  let lastEventId = '';
  let retry = null;

  function dispatch() {
    if (!data) {
      type = '';
      return;
    }
    const event = { type: type || 'message', data: data.slice(0, -1), lastEventId };
    data = '';
    type = '';
    onEvent(event);
  }

  function field(text) {
    if (!text) return dispatch();
    if (text[0] === ':') return; // a comment
    const colon = text.indexOf(':');
    const name = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (name === 'data') data += `${value}\n`;
    else if (name === 'event') type = value;
    else if (name === 'id') {
      if (!value.includes('\0')) lastEventId = value;
    } else if (name === 'retry') {
      if (/^[0-9]+$/.test(value)) retry = Number(value);
    }
  }

  function push(chunk) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (!text) return;
    if (!started) {
      started = true;
      if (text[0] === '\uFEFF') text = text.slice(1);
    }
    let start = 0;
    if (afterCR && text[0] === '\n') start = 1;
    afterCR = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      const complete = line + text.slice(start, i);
      line = '';
      if (c === '\r') {
        if (i + 1 === text.length) afterCR = true;
        else if (text[i + 1] === '\n') i++;
      }
      start = i + 1;
      field(complete);
    }
    line += text.slice(start);
  }

  return {
    push,
    get lastEventId() { return lastEventId; },
    get retry() { return retry; },
  };
}
