/** Telegram's limit on a message's text (after entities are parsed; the HTML is always longer). */
export const MAX_TEXT = 4096;
/** More than this many DMs in one message stops reading as one message. */
const MAX_MERGED = 10;
/** Inline keyboard rows kept on a merged message. */
const MAX_ROWS = 8;

type Payload = Record<string, unknown>;

/**
 * A DM that can be merged with the ones after it: a plain HTML sendMessage to a private chat, not
 * a reply to a message, and with no keyboard other than inline buttons.
 */
export function isMergeable(method: string, payload: Payload): boolean {
  if (method !== "sendMessage" || Number(payload.chat_id) <= 0) return false;
  if (payload.parse_mode !== "HTML" || typeof payload.text !== "string") return false;
  if (payload.reply_parameters !== undefined || payload.reply_to_message_id !== undefined) return false;
  const markup = payload.reply_markup as { inline_keyboard?: unknown } | undefined;
  return markup === undefined || Array.isArray(markup.inline_keyboard);
}

const rows = (payload: Payload): unknown[][] =>
  ((payload.reply_markup as { inline_keyboard?: unknown[][] } | undefined)?.inline_keyboard ?? []) as unknown[][];

/**
 * Several DMs waiting for one trader, sent as one message when that reads better than a burst:
 * texts in order with a blank line between, their buttons (without repeats) under the whole.
 * Takes the longest prefix of `payloads` (all mergeable) that fits; returns how many it took and
 * the payload to send (the first one unchanged when it took one).
 */
export function mergeDms(payloads: readonly Payload[]): { count: number; payload: Payload } {
  const first = payloads[0]!;
  let text = String(first.text);
  let count = 1;
  for (const next of payloads.slice(1, MAX_MERGED)) {
    const joined = `${text}\n\n${String(next.text)}`;
    if (joined.length > MAX_TEXT) break;
    text = joined;
    count++;
  }
  if (count === 1) return { count, payload: first };
  const keyboard: unknown[][] = [];
  const seen = new Set<string>();
  for (const payload of payloads.slice(0, count)) {
    for (const row of rows(payload)) {
      const key = JSON.stringify(row);
      if (seen.has(key) || keyboard.length >= MAX_ROWS) continue;
      seen.add(key);
      keyboard.push(row);
    }
  }
  const { reply_markup: _markup, ...rest } = first;
  return {
    count,
    payload: { ...rest, text, ...(keyboard.length > 0 ? { reply_markup: { inline_keyboard: keyboard } } : {}) },
  };
}
