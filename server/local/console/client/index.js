// @ts-check
/**
 * The chat console of /local: who you are, which chat, the messages live from
 * /local/console/events, and what you type or tap sent to /local/console/*.
 */
import { bubble, el } from "./render.js";

/** @typedef {import("./render.js").Message} Message */
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
const key = (/** @type {Message} */ m) => `${m.chat.id}:${m.message_id}`;
const groups = () => state.chats.filter((c) => c.type !== "private");
const chatsOf = (/** @type {number} */ userId) => [userId, ...groups().map((g) => g.id)];
/** A URL button opens its link as the chosen person (a Mini App link gets their signed launch data). */
const openHref = (/** @type {string} */ url) =>
  `/local/console/open?user_id=${state.me}&url=${encodeURIComponent(url)}`;
/** How bubbles are drawn for the person chosen now. */
const view = () => ({
  me: state.me,
  botName: state.bot?.first_name ?? "bot",
  openHref,
  onPress: (/** @type {Message} */ message, /** @type {string} */ data) => void press(message, data),
  onCommand: (/** @type {string} */ command) => void send(command),
});

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
    ...(shown.length > 0
      ? shown.map((m) => bubble(m, view()))
      : [el("p", { class: "empty" }, "No messages yet. Try /start or /help.")]),
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
    if (old) old.replaceWith(bubble(message, view()));
    else {
      list.querySelector(".empty")?.remove();
      list.append(bubble(message, view()));
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
