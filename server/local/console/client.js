// @ts-check
/**
 * The chat console of /local: the chats between the demo people and the real bot, live from
 * /local/console/events. Messages are Telegram Message objects (text + entities, as Telegram
 * delivers them after parsing the bot's HTML); they are drawn with DOM nodes and text nodes only,
 * never innerHTML, so whatever anyone typed is shown as text.
 */

/** @typedef {{ type: string, offset: number, length: number, url?: string, language?: string }} Entity */
/** @typedef {{ text: string, callback_data?: string, url?: string, web_app?: { url: string } }} Button */
/**
 * @typedef {{ message_id: number, chat: { id: number, type: string, title?: string, first_name?: string },
 *   from?: { id: number, first_name: string, is_bot: boolean }, date: number, edit_date?: number, text?: string,
 *   entities?: Entity[], reply_markup?: { inline_keyboard: Button[][] }, reply_to_message?: Message }} Message
 */
/** @typedef {{ id: number, first_name: string, about: string }} Person */

const root = /** @type {HTMLElement} */ (document.getElementById("console"));

const state = {
  /** @type {{ id: number, first_name: string, username: string } | null} */ bot: null,
  /** @type {Person[]} */ people: [],
  /** @type {Array<{ id: number, type: string, title?: string }>} */ chats: [],
  /** @type {Map<string, Message>} keyed by "chat:message", kept in arrival order */ messages: new Map(),
  /** @type {Record<string, Array<{ command: string, description: string }>>} */ menus: {},
  /** @type {Map<number, number>} unread messages per chat */ unread: new Map(),
  me: Number(localStorage.getItem("sortie.console.me")) || 0,
  chat: Number(localStorage.getItem("sortie.console.chat")) || 0,
};

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {...(Node | string)} children
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

const key = (/** @type {Message} */ m) => `${m.chat.id}:${m.message_id}`;
const groups = () => state.chats.filter((c) => c.type !== "private");
const chatsOf = (/** @type {number} */ userId) => [userId, ...groups().map((g) => g.id)];

/** The HTML element Telegram's clients draw an entity with (the text inside is added as text nodes). */
function entityElement(/** @type {Entity} */ entity, /** @type {string} */ inner) {
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
        void send(inner);
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
 */
function renderText(text, entities) {
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
      const node = entityElement(entity, text.slice(from, stop));
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

/** A URL button opens its link as the chosen person (a Mini App link gets their signed launch data). */
const openHref = (/** @type {string} */ url) =>
  `/local/console/open?user_id=${state.me}&url=${encodeURIComponent(url)}`;

function keyboard(/** @type {Message} */ message) {
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
                href: openHref(url),
                target: "_blank",
                rel: "noopener",
                "data-testid": "inline-button",
              },
              `${button.text} ↗`,
            );
          }
          const node = el("button", { type: "button", class: "button", "data-testid": "inline-button" }, button.text);
          node.addEventListener("click", () => void press(message, button.callback_data ?? ""));
          return node;
        }),
      ),
    ),
  );
}

const timeOf = (/** @type {number} */ unix) => new Date(unix * 1000).toISOString().slice(11, 16);

function bubble(/** @type {Message} */ message) {
  const mine = message.from?.id === state.me;
  const sender = message.from?.is_bot ? (state.bot?.first_name ?? "bot") : (message.from?.first_name ?? "");
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
    el("div", { class: "text", "data-testid": "message-text" }, renderText(message.text ?? "", message.entities ?? [])),
  );
  const meta = el("div", { class: "meta" }, timeOf(message.date));
  if (message.edit_date) {
    node.setAttribute("data-edited", "true");
    meta.prepend("edited ");
  }
  node.append(meta);
  const buttons = keyboard(message);
  if (buttons) node.append(buttons);
  return node;
}

const list = el("div", { class: "messages", "data-testid": "console-messages" });
const who = /** @type {HTMLSelectElement} */ (el("select", { "data-testid": "console-who", "aria-label": "You are" }));
const tabs = el("div", { class: "tabs", role: "tablist" });
const input = /** @type {HTMLInputElement} */ (
  el("input", { "data-testid": "console-input", placeholder: "Write a message or /command…", autocomplete: "off" })
);
const menu = el("div", { class: "menu", hidden: "" });
const toast = el("div", { class: "toast", "data-testid": "console-toast", hidden: "" });
const liveStatus = el("span", { class: "status", "data-testid": "console-status" }, "connecting…");

function renderTabs() {
  tabs.replaceChildren(
    ...chatsOf(state.me).map((chatId) => {
      const group = groups().find((g) => g.id === chatId);
      const unread = state.unread.get(chatId) ?? 0;
      const tab = el(
        "button",
        {
          type: "button",
          role: "tab",
          "aria-selected": String(chatId === state.chat),
          "data-testid": group ? "console-chat-group" : "console-chat-private",
        },
        group ? `👥 ${group.title}` : `💬 ${state.bot?.first_name ?? "Bot"} (private chat)`,
        ...(unread > 0 ? [el("span", { class: "badge" }, String(unread))] : []),
      );
      tab.addEventListener("click", () => choose(state.me, chatId));
      return tab;
    }),
  );
}

function renderMessages() {
  const shown = [...state.messages.values()].filter((m) => m.chat.id === state.chat);
  list.replaceChildren(
    ...(shown.length > 0 ? shown.map(bubble) : [el("p", { class: "empty" }, "No messages yet. Try /start or /help.")]),
  );
  list.scrollTop = list.scrollHeight;
}

function renderMenu() {
  const commands = state.menus[`${state.me}:${state.chat}`] ?? [];
  menu.replaceChildren(
    ...commands.map((c) => {
      const item = el("button", { type: "button" }, el("b", {}, `/${c.command}`), ` — ${c.description}`);
      item.addEventListener("click", () => {
        menu.hidden = true;
        void send(`/${c.command}`);
      });
      return item;
    }),
  );
}

function render() {
  who.replaceChildren(
    ...state.people.map((p) =>
      el(
        "option",
        { value: String(p.id), ...(p.id === state.me ? { selected: "" } : {}) },
        `${p.first_name} — ${p.about}`,
      ),
    ),
  );
  renderTabs();
  renderMessages();
  renderMenu();
}

function choose(/** @type {number} */ me, /** @type {number} */ chat) {
  state.me = me;
  state.chat = chatsOf(me).includes(chat) ? chat : me;
  state.unread.delete(state.chat);
  localStorage.setItem("sortie.console.me", String(state.me));
  localStorage.setItem("sortie.console.chat", String(state.chat));
  render();
}

function showToast(/** @type {string} */ text, alert = false) {
  toast.replaceChildren(el("div", {}, text));
  toast.classList.toggle("alert", alert);
  if (alert) {
    const ok = el("button", { type: "button" }, "OK");
    ok.addEventListener("click", () => (toast.hidden = true));
    toast.append(ok);
  }
  toast.hidden = false;
  if (!alert) setTimeout(() => (toast.hidden = true), 4000);
}

/** @param {string} path @param {unknown} body */
async function post(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const answer = await res.json().catch(() => null);
    showToast(`⚠ ${answer?.error?.message ?? `HTTP ${res.status}`}`);
  }
  return res.ok;
}

async function send(/** @type {string} */ text) {
  if (text.trim() === "") return;
  await post("/local/console/messages", { user_id: state.me, chat_id: state.chat, text });
}

async function press(/** @type {Message} */ message, /** @type {string} */ data) {
  await post("/local/console/callbacks", {
    user_id: state.me,
    chat_id: message.chat.id,
    message_id: message.message_id,
    data,
  });
}

function accept(/** @type {Message} */ message) {
  const existed = state.messages.has(key(message));
  state.messages.set(key(message), message);
  const chatId = message.chat.id;
  if (chatId === state.chat) {
    const old = list.querySelector(`[data-message-id="${message.message_id}"]`);
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    if (old) old.replaceWith(bubble(message));
    else {
      list.querySelector(".empty")?.remove();
      list.append(bubble(message));
    }
    if (!old && (atBottom || message.from?.id === state.me)) list.scrollTop = list.scrollHeight;
  } else if (!existed && chatsOf(state.me).includes(chatId)) {
    state.unread.set(chatId, (state.unread.get(chatId) ?? 0) + 1);
    renderTabs();
  }
}

function connect() {
  const events = new EventSource("/local/console/events");
  events.addEventListener("hello", (event) => {
    const hello = JSON.parse(/** @type {MessageEvent} */ (event).data);
    state.bot = hello.bot;
    state.people = hello.people;
    state.chats = hello.chats;
    state.menus = hello.menus;
    state.messages = new Map(hello.messages.map((/** @type {Message} */ m) => [key(m), m]));
    if (!state.people.some((p) => p.id === state.me)) state.me = state.people[0]?.id ?? 0;
    liveStatus.textContent = "live";
    liveStatus.classList.add("live");
    choose(state.me, state.chat);
  });
  events.addEventListener("message", (event) => accept(JSON.parse(/** @type {MessageEvent} */ (event).data).message));
  events.addEventListener("deleted", (event) => {
    const { chat_id, message_id } = JSON.parse(/** @type {MessageEvent} */ (event).data);
    state.messages.delete(`${chat_id}:${message_id}`);
    if (chat_id === state.chat) list.querySelector(`[data-message-id="${message_id}"]`)?.remove();
  });
  events.addEventListener("callback_answer", (event) => {
    const answer = JSON.parse(/** @type {MessageEvent} */ (event).data);
    if (answer.user_id === state.me) showToast(answer.text, answer.show_alert);
  });
  events.addEventListener("menus", (event) => {
    state.menus = JSON.parse(/** @type {MessageEvent} */ (event).data);
    renderMenu();
  });
  events.addEventListener("error", () => {
    liveStatus.textContent = "reconnecting…";
    liveStatus.classList.remove("live");
  });
}

const form = el("form", { class: "composer" });
const menuButton = el("button", { type: "button", class: "menu-button", title: "Commands" }, "/");
menuButton.addEventListener("click", () => {
  menu.hidden = !menu.hidden;
});
form.append(menuButton, input, el("button", { type: "submit", "data-testid": "console-send" }, "Send"));
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = "";
  void send(text);
});
who.addEventListener("change", () => choose(Number(who.value), state.chat));

root.replaceChildren(
  el("div", { class: "bar" }, el("label", {}, "You are ", who), liveStatus),
  tabs,
  list,
  menu,
  form,
  toast,
);
connect();
