export type UpdateSource = "api" | "bot" | "webhook" | "auto";

export interface UpdateOptions {
  source: UpdateSource;
  /** Who did it, for the event log: "tg:<id>", "admin-token", "webhook", "sortie". */
  actor: string;
  idempotencyKey?: string | null;
}
