import { describe, expect, it } from "vitest";
import { EntityParseError, parseHtml, userEntities } from "../../../server/local/telegram/html.ts";

describe("parseHtml (Telegram's HTML parse mode)", () => {
  it("turns the supported tags into entities with UTF-16 offsets and decodes character references", () => {
    const { text, entities } = parseHtml(
      '🟢 <b>EURUSD <i>BUY</i></b> at <code>1.085</code> &lt;x&gt; &amp; &quot;q&quot; &#8364; <a href="https://e.example/?a=1&amp;b=2">docs</a>\n<pre><code class="language-json">{"a":1}</code></pre>',
    );
    expect(text).toBe('🟢 EURUSD BUY at 1.085 <x> & "q" € docs\n{"a":1}');
    expect(entities).toEqual([
      { type: "bold", offset: 3, length: 10 },
      { type: "italic", offset: 10, length: 3 },
      { type: "code", offset: 17, length: 5 },
      { type: "text_link", offset: 35, length: 4, url: "https://e.example/?a=1&b=2" },
      { type: "pre", offset: 40, length: 7, language: "json" },
    ]);
  });

  it("keeps a lone & as typed, and drops entities that cover nothing", () => {
    expect(parseHtml("R&D <b></b>ok")).toEqual({ text: "R&D ok", entities: [] });
  });

  it("refuses what Telegram refuses, with Telegram's wording", () => {
    const error = (html: string) => {
      try {
        parseHtml(html);
        return null;
      } catch (err) {
        expect(err).toBeInstanceOf(EntityParseError);
        return (err as Error).message;
      }
    };
    expect(error("<div>x</div>")).toBe('Unsupported start tag "div" at byte offset 0');
    expect(error("é <span>x</span>")).toBe('Unsupported start tag "span" at byte offset 3');
    expect(error("<b>x")).toBe('Can\'t find end tag corresponding to start tag "b"');
    expect(error("<b><i>x</b></i>")).toBe('Unmatched end tag at byte offset 7, expected "</i>", found "</b>"');
    expect(error("1 < 2")).toBe("Unclosed start tag at byte offset 2");
    expect(error("x</b>")).toBe("Unexpected end tag at byte offset 1");
    expect(error('<span class="tg-spoiler">ok</span>')).toBeNull();
  });
});

describe("userEntities (what a Telegram client marks in typed text)", () => {
  it("marks bot commands at the start of words only", () => {
    expect(userEntities("/signal")).toEqual([{ type: "bot_command", offset: 0, length: 7 }]);
    expect(userEntities("try /me@sortie_local_bot now, not a/b")).toEqual([
      { type: "bot_command", offset: 4, length: 20 },
    ]);
    expect(userEntities("<b>/nope</b>")).toEqual([]);
    expect(userEntities("see /me, then /risk.")).toEqual([
      { type: "bot_command", offset: 4, length: 3 },
      { type: "bot_command", offset: 14, length: 5 },
    ]);
  });
});
