/**
 * An incremental Server-Sent Events parser (the WHATWG "event stream interpretation"): feed it text
 * chunks as they arrive, in any split, and it dispatches each complete event.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */

export interface SseMessage {
  /** The last event id seen so far (ids persist across events, as in EventSource). */
  id: string | null;
  event: string;
  data: string;
}

export interface SseParser {
  push(chunk: string): void;
  readonly lastEventId: string | null;
  /** A `retry:` field the server sent, in milliseconds. */
  readonly retryMs: number | null;
}

export function createSseParser(onMessage: (message: SseMessage) => void): SseParser {
  let buffer = "";
  let lastEventId: string | null = null;
  let retryMs: number | null = null;
  let event = "";
  let data: string[] = [];
  let hasData = false;

  function dispatch(): void {
    if (hasData) onMessage({ id: lastEventId, event: event || "message", data: data.join("\n") });
    event = "";
    data = [];
    hasData = false;
  }

  function line(text: string): void {
    if (text === "") {
      dispatch();
      return;
    }
    if (text.startsWith(":")) return; // a comment, e.g. the server's ": ping" keep-alive
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      data.push(value);
      hasData = true;
    } else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) lastEventId = value;
    else if (field === "retry" && /^\d+$/.test(value)) retryMs = Number(value);
  }

  return {
    push(chunk) {
      buffer += chunk;
      // Lines end in CRLF, LF or CR; a trailing CR may be the first half of a CRLF split across chunks.
      for (;;) {
        const match = /\r\n|\n|\r/.exec(buffer);
        if (!match) break;
        if (match[0] === "\r" && match.index === buffer.length - 1) break;
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
    get lastEventId() {
      return lastEventId;
    },
    get retryMs() {
      return retryMs;
    },
  };
}
