import { describe, expect, it } from "vitest";
import { createSseParser, type SseMessage } from "../../webapp/src/sse.ts";

function parse(chunks: string[]): { messages: SseMessage[]; parser: ReturnType<typeof createSseParser> } {
  const messages: SseMessage[] = [];
  const parser = createSseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.push(chunk);
  return { messages, parser };
}

describe("createSseParser", () => {
  it("dispatches id, event and data on a blank line", () => {
    const { messages, parser } = parse(['id: 7\nevent: fire_update\ndata: {"fire":1}\n\n']);
    expect(messages).toEqual([{ id: "7", event: "fire_update", data: '{"fire":1}' }]);
    expect(parser.lastEventId).toBe("7");
  });

  it("ignores comments such as the server's ping", () => {
    const { messages } = parse([": ping\n\n", ": connected\n\nevent: x\ndata: 1\n\n"]);
    expect(messages).toEqual([{ id: null, event: "x", data: "1" }]);
  });

  it("reassembles frames split anywhere, including inside a CRLF", () => {
    const text = "id: 1\r\nevent: a\r\ndata: hello\r\n\r\nid: 2\r\ndata: world\r\n\r\n";
    const { messages } = parse(text.split(""));
    expect(messages).toEqual([
      { id: "1", event: "a", data: "hello" },
      { id: "2", event: "message", data: "world" },
    ]);
  });

  it("joins multi-line data with newlines and keeps the last id across events", () => {
    const { messages } = parse(["id: 3\ndata: a\ndata: b\n\n", "data: c\n\n"]);
    expect(messages).toEqual([
      { id: "3", event: "message", data: "a\nb" },
      { id: "3", event: "message", data: "c" },
    ]);
  });

  it("reads retry and drops events without data", () => {
    const { messages, parser } = parse(["retry: 2000\n\n", "event: empty\n\n"]);
    expect(messages).toEqual([]);
    expect(parser.retryMs).toBe(2000);
  });
});
