import type { ConversationStorage, VersionedState } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Store } from "../db/store.ts";

/**
 * Bump when the wizard's steps change shape: the plugin then drops conversations saved by the
 * old code instead of replaying them against the new one.
 */
export const WIZARD_STATE_VERSION = 1;

/**
 * Keeps the conversations plugin's state in the store (table `bot_conversations`), keyed by chat,
 * so an admin halfway through `/signal` carries on after the bot restarts (or on another instance).
 */
export function storeConversationStorage<C extends Context, S>(
  store: Store,
  now: () => number,
): ConversationStorage<C, S> {
  return {
    type: "key",
    version: WIZARD_STATE_VERSION,
    adapter: {
      async read(key) {
        const state = await store.conversations.readConversation(key);
        return state === null ? undefined : (JSON.parse(state) as VersionedState<S>);
      },
      async write(key, state) {
        await store.conversations.writeConversation(key, JSON.stringify(state), new Date(now()).toISOString());
      },
      async delete(key) {
        await store.conversations.deleteConversation(key);
      },
    },
  };
}
