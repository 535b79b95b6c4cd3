type Payload = Record<string, unknown>;

/** How the sender reaches Telegram: a Bot API call that resolves with its result or throws its error. */
export interface Transport {
  call(method: string, payload: Payload): Promise<unknown>;
}

/** The Bot API's answer to a failed call, as grammY's GrammyError carries it (no code: network). */
export interface TelegramFailure {
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** Rejects the waiters of messages still queued when the sender stops (they are sent after the restart). */
export class DeliveryStopped extends Error {
  override name = "DeliveryStopped";
  constructor() {
    super("the outbox stopped before this message was sent; it is sent after the restart");
  }
}

/** 403, or a 400 saying the chat is gone: nothing sent to this private chat can arrive. */
export function isUnreachable(err: TelegramFailure): boolean {
  const { error_code: code, description = "" } = err;
  return code === 403 || (code === 400 && /chat not found|user is deactivated|PEER_ID_INVALID/i.test(description));
}

/** How a failure reads in the outbox row and the log. */
export function describe(err: TelegramFailure): string {
  return err.error_code === undefined
    ? `network: ${String((err as { message?: unknown }).message ?? err)}`
    : `${err.error_code} ${err.description ?? ""}`.trim();
}
