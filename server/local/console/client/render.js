// @ts-check
/**
 * Drawing Telegram messages for the console: text + entities (as Telegram delivers them after
 * parsing the bot's HTML) become DOM nodes with the text in text nodes, never innerHTML, so
 * whatever anyone typed is shown as text.
 */

/** @typedef {{ type: string, offset: number, length: number, url?: string, language?: string }} Entity */
/** @typedef {{ text: string, callback_data?: string, url?: string, web_app?: { url: string } }} Button */
/**
 * @typedef {{ message_id: number, chat: { id: number, type: string, title?: string, first_name?: string },
 *   from?: { id: number, first_name: string, is_bot: boolean }, date: number, edit_date?: number, text?: string,
 *   entities?: Entity[], reply_markup?: { inline_keyboard: Button[][] }, reply_to_message?: Message }} Message
 */
/**
 * What a bubble needs from the console: who is looking, and what taps do.
 * @typedef {{ me: number, botName: string, openHref: (url: string) => string,
 *   onPress: (message: Message, data: string) => void, onCommand: (command: string) => void }} View
 */

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string)} children
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** The HTML element Telegram's clients draw an entity with (the text inside is added as text nodes). */
/**
 * @param {Entity} entity
 * @param {string} inner
 * @param {(command: string) => void} onCommand
 */
function entityElement(entity, inner, onCommand) {
  switch (entity.type) {
    case "bold":
      return el("b");
    case "italic":
      return el("i");
    case "underline":
      return el("u");
    case "strikethrough":
      return el("s");
    case "code":
      return el("code");
    case "pre":
      return el("pre", entity.language ? { "data-language": entity.language } : {});
    case "blockquote":
    case "expandable_blockquote":
      return el("blockquote");
    case "spoiler": {
      const span = el("span", { class: "spoiler", title: "Spoiler: click to show" });
      span.addEventListener("click", () => span.classList.add("shown"));
      return span;
    }
    case "text_link":
      return /^(https?|tg):/i.test(entity.url ?? "")
        ? el("a", { href: entity.url ?? "", target: "_blank", rel: "noopener" })
        : el("span");
    case "bot_command": {
      // As in Telegram, tapping a command sends it.
      const link = el("a", { href: "#", class: "command" });
      link.addEventListener("click", (event) => {
        event.preventDefault();
        onCommand(inner);
      });
      return link;
    }
    default:
      return el("span");
  }
}

/**
 * Text with entities as DOM: entities nest (an enclosing one first); text goes in as text nodes.
 * @param {string} text
 * @param {Entity[]} entities
 * @param {(command: string) => void} onCommand
 */
export function renderText(text, entities, onCommand) {
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  /** @param {number} start @param {number} end @param {Entity[]} list */
  const build = (start, end, list) => {
    const fragment = document.createDocumentFragment();
    let pos = start;
    for (let i = 0; i < list.length; ) {
      const entity = /** @type {Entity} */ (list[i]);
      const stop = Math.min(entity.offset + entity.length, end);
      /** @type {Entity[]} */
      const inside = [];
      let j = i + 1;
      for (let next = list[j]; next && next.offset < stop; next = list[++j]) inside.push(next);
      if (entity.offset > pos) fragment.append(text.slice(pos, entity.offset));
      const from = Math.max(entity.offset, pos);
      const node = entityElement(entity, text.slice(from, stop), onCommand);
      node.append(build(from, stop, inside));
      fragment.append(node);
      pos = Math.max(pos, stop);
      i = j;
    }
    if (pos < end) fragment.append(text.slice(pos, end));
    return fragment;
  };
  return build(0, text.length, sorted);
}

function keyboard(/** @type {Message} */ message, /** @type {View} */ view) {
  const rows = message.reply_markup?.inline_keyboard ?? [];
  if (rows.length === 0) return null;
  return el(
    "div",
    { class: "keyboard" },
    ...rows.map((row) =>
      el(
        "div",
        { class: "row" },
        ...row.map((button) => {
          const url = button.url ?? button.web_app?.url;
          if (url) {
            return el(
              "a",
              {
                class: "button",
                href: view.openHref(url),
                target: "_blank",
                rel: "noopener",
                "data-testid": "inline-button",
              },
              `${button.text} ↗`,
            );
          }
          const node = el("button", { type: "button", class: "button", "data-testid": "inline-button" }, button.text);
          node.addEventListener("click", () => view.onPress(message, button.callback_data ?? ""));
          return node;
        }),
      ),
    ),
  );
}

const timeOf = (/** @type {number} */ unix) => new Date(unix * 1000).toISOString().slice(11, 16);

/** One message as a chat bubble: mine on the right; sender named in groups; buttons under it. */
export function bubble(/** @type {Message} */ message, /** @type {View} */ view) {
  const mine = message.from?.id === view.me;
  const sender = message.from?.is_bot ? view.botName : (message.from?.first_name ?? "");
  const node = el("div", {
    class: `message ${mine ? "out" : "in"}`,
    "data-testid": "message",
    "data-from": String(message.from?.id ?? ""),
    "data-message-id": String(message.message_id),
  });
  if (message.chat.type !== "private" && !mine) node.append(el("div", { class: "sender" }, sender));
  const reply = message.reply_to_message;
  if (reply) node.append(el("div", { class: "reply" }, ((reply.text ?? "").split("\n")[0] ?? "").slice(0, 80)));
  node.append(
    el(
      "div",
      { class: "text", "data-testid": "message-text" },
      renderText(message.text ?? "", message.entities ?? [], view.onCommand),
    ),
  );
  const meta = el("div", { class: "meta" }, timeOf(message.date));
  if (message.edit_date) {
    node.setAttribute("data-edited", "true");
    meta.prepend("edited ");
  }
  node.append(meta);
  const buttons = keyboard(message, view);
  if (buttons) node.append(buttons);
  return node;
}
