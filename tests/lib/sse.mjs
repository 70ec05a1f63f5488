// Server-sent events as the tests read them: a parser over the byte chunks of a response body.
/**
 * Parses server-sent events from an async iterable of byte chunks (a fetch body or an http
 * response). next() resolves to {id, event, data} with data parsed as JSON; abort() is called by
 * close().
 */
export function sseReader(body, abort) {
  const decoder = new TextDecoder();
  let buffer = '';
  const queue = [];
  let ended = false;
  let wake = () => {};
  (async () => {
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (m) event[m[1]] = m[2];
          }
          if (event.data !== undefined) {
            queue.push({ id: Number(event.id), event: event.event, data: JSON.parse(event.data) });
            wake();
          }
        }
      }
    } catch { /* aborted */ }
    ended = true;
    wake();
  })();
  return {
    async next(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!queue.length) {
        if (ended) throw new Error('event stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no event within timeout');
        await new Promise((resolve) => { wake = resolve; setTimeout(resolve, left); });
      }
      return queue.shift();
    },
    pending: () => queue.length,
    ended: () => ended,
    close: abort,
  };
}
