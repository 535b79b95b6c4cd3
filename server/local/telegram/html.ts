import type { MessageEntity } from "grammy/types";

/** What Telegram answers when a message's HTML cannot be parsed (400 "can't parse entities: …"). */
export class EntityParseError extends Error {}

/** Telegram's HTML tags and the entity each makes (https://core.telegram.org/bots/api#html-style). */
const TAG_ENTITY: Record<string, MessageEntity["type"]> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  span: "spoiler",
  "tg-spoiler": "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
};

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

const ENTITY_RE = /^&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(lt|gt|amp|quot));/i;
const START_TAG_RE = /^<([a-z][a-z0-9-]*)((?:\s+[a-z][a-z0-9-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*>/i;
const ATTR_RE = /([a-z][a-z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/gi;
const END_TAG_RE = /^<\/([a-z][a-z0-9-]*)\s*>/i;

/** `&lt;`, `&#60;`, `&#x3c;`; an `&` that starts none of these stays as typed (as Telegram does). */
function decodeEntities(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const match = text[i] === "&" ? ENTITY_RE.exec(text.slice(i, i + 12)) : null;
    if (match) {
      out += match[3]
        ? NAMED[match[3].toLowerCase()]
        : String.fromCodePoint(Number.parseInt(match[1] ?? match[2]!, match[1] ? 10 : 16));
      i += match[0].length;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

function attributes(raw: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of raw.matchAll(ATTR_RE)) attrs.set(m[1]!.toLowerCase(), decodeEntities(m[2] ?? m[3] ?? m[4] ?? ""));
  return attrs;
}

interface OpenTag {
  tag: string;
  offset: number;
  entity: MessageEntity | null;
}

/**
 * Turns a message sent with `parse_mode: "HTML"` into the plain text and entities Telegram stores
 * and delivers: the tags of Telegram's HTML style become entities (offsets in UTF-16 code units),
 * `&lt; &gt; &amp; &quot;` and numeric references are decoded. Strict like Telegram's parser: an
 * unsupported or unbalanced tag throws EntityParseError with Telegram's wording, so a bot bug that
 * Telegram would refuse is refused locally too.
 */
export function parseHtml(html: string): { text: string; entities: MessageEntity[] } {
  let text = "";
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  const byteOffset = (i: number) => Buffer.byteLength(html.slice(0, i));
  let i = 0;
  while (i < html.length) {
    const char = html[i]!;
    if (char === "&") {
      const match = ENTITY_RE.exec(html.slice(i, i + 12));
      const raw = match ? match[0] : "&";
      text += decodeEntities(raw);
      i += raw.length;
      continue;
    }
    if (char !== "<") {
      text += char;
      i++;
      continue;
    }
    const end = END_TAG_RE.exec(html.slice(i));
    if (end) {
      const tag = end[1]!.toLowerCase();
      const top = open.pop();
      if (!top) throw new EntityParseError(`Unexpected end tag at byte offset ${byteOffset(i)}`);
      if (top.tag !== tag) {
        throw new EntityParseError(
          `Unmatched end tag at byte offset ${byteOffset(i)}, expected "</${top.tag}>", found "</${tag}>"`,
        );
      }
      if (top.entity && text.length > top.offset)
        entities.push({ ...top.entity, offset: top.offset, length: text.length - top.offset } as MessageEntity);
      i += end[0].length;
      continue;
    }
    const start = START_TAG_RE.exec(html.slice(i));
    if (!start) throw new EntityParseError(`Unclosed start tag at byte offset ${byteOffset(i)}`);
    const tag = start[1]!.toLowerCase();
    const type = TAG_ENTITY[tag];
    const attrs = attributes(start[2] ?? "");
    if (!type || (tag === "span" && attrs.get("class") !== "tg-spoiler")) {
      throw new EntityParseError(`Unsupported start tag "${tag}" at byte offset ${byteOffset(i)}`);
    }
    let entity: MessageEntity | null = { type, offset: 0, length: 0 } as MessageEntity;
    if (tag === "a") {
      const href = attrs.get("href");
      if (!href) throw new EntityParseError(`Can't find attribute "href" of tag "a" at byte offset ${byteOffset(i)}`);
      entity = { type: "text_link", offset: 0, length: 0, url: href };
    }
    const parent = open.at(-1);
    if (tag === "code" && parent?.tag === "pre" && parent.entity?.type === "pre") {
      // <pre><code class="language-x"> is one pre entity with a language, not a code inside a pre.
      const language = /^language-(.+)$/.exec(attrs.get("class") ?? "")?.[1];
      if (language) parent.entity = { ...parent.entity, language };
      entity = null;
    }
    open.push({ tag, offset: text.length, entity });
    i += start[0].length;
  }
  const unclosed = open.at(-1);
  if (unclosed) throw new EntityParseError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  // Telegram lists entities by offset; an enclosing entity before the ones inside it.
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

/**
 * The entities Telegram's clients mark in text a user types: bot commands (`/start`,
 * `/signal@bot`) at the start of a word. grammY's `bot.command` finds commands by these.
 */
export function userEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const m of text.matchAll(/(^|\s)(\/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?)(?![\w@/])/g)) {
    entities.push({ type: "bot_command", offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  return entities;
}
