import { expect } from "vitest";
import { waitFor } from "./wait.ts";

/** Reads an SSE stream (`GET /api/events`) until it ends; `state.text` grows as data arrives. */
export async function openStream(url: string, authorization: string) {
  const res = await fetch(`${url}/api/events`, { headers: { authorization } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const state = { text: "", ended: false };
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        state.text += new TextDecoder().decode(value);
      }
    } catch {
      // cut: counts as ended
    }
    state.ended = true;
  })();
  await waitFor(() => state.text.includes("connected"), 15_000, "the stream to open");
  return { state, cancel: () => reader.cancel().catch(() => undefined) };
}
