// Server-sent events read with fetch(), because EventSource cannot send an Authorization header.
// The parser follows the HTML event-stream format: `event:` and `data:` fields, a blank line ends
// an event, and lines starting with a colon are comments.

/**
 * Returns a parser that receives decoded text in chunks of any size and calls
 * `onEvent({type, data})` for each complete event. `type` defaults to 'message'.
 */
export function createEventParser(onEvent) {
  let buffer = '';
  let type = '';
  let data = [];

  const dispatch = () => {
    if (data.length > 0) onEvent({ type: type || 'message', data: data.join('\n') });
    type = '';
    data = [];
  };

  const processLine = (line) => {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  };

  return {
    push(chunk) {
      let text = buffer + chunk;
      // A trailing "\r" waits for the next chunk, which may start with the "\n" of the same "\r\n".
      const pendingReturn = text.endsWith('\r') ? '\r' : '';
      if (pendingReturn) text = text.slice(0, -1);
      const lines = text.split(/\r\n|\r|\n/);
      buffer = lines.pop() + pendingReturn;
      for (const line of lines) processLine(line);
    },
    // As in the HTML standard, an event without its closing blank line is dropped at the end.
    end() {
      buffer = '';
      type = '';
      data = [];
    },
  };
}

/**
 * Reads the event stream of `response` until it ends or `signal` aborts, calling `onEvent` for
 * each event.
 */
export async function readEventStream(response, onEvent, signal) {
  const parser = createEventParser(onEvent);
  const reader = response.body.pipeThrough(new window.TextDecoderStream()).getReader();
  const cancel = () => reader.cancel().catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    parser.end();
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
