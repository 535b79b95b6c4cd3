import { afterEach, describe, expect, it } from "vitest";
import { loggerOptions, redactUrl } from "../../../server/app.ts";
import { type Harness, HOOK_SECRET, startHarness } from "../../support/harness.ts";

/** Finding 8 of issue #21: the hook secret never reaches the logs, whatever the URL. */
describe("hook secret in logs", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const nearMisses = [
    `/hook/signal/${HOOK_SECRET}`,
    `/hooks/signals/${HOOK_SECRET}`,
    `/hooks/signal%2F${HOOK_SECRET}`,
    `/hooks/signal%2f${HOOK_SECRET}?x=1`,
    `/api/${HOOK_SECRET}/x`,
    `/x?secret=${HOOK_SECRET}`,
    `/hooks/signal/%68${HOOK_SECRET.slice(1)}`,
    `/a/%2568${HOOK_SECRET.slice(1)}`,
    `/hooks/signal/${HOOK_SECRET}%E0%A4%A`,
  ];

  it("requests to near-miss URLs log no trace of the secret", async () => {
    const lines: string[] = [];
    h = await startHarness({
      app: { logger: loggerOptions("info", { write: (line) => lines.push(line) }, HOOK_SECRET) },
    });
    for (const url of nearMisses) await h.app.inject({ method: "POST", url, payload: {} });
    const text = lines.join("");
    expect(lines.length).toBeGreaterThan(nearMisses.length);
    expect(text).not.toContain(HOOK_SECRET);
    expect(text).not.toContain(HOOK_SECRET.slice(1));
    expect(text).toContain("[redacted]");
  });

  it("redactUrl decodes before matching and leaves other URLs alone", () => {
    expect(redactUrl(`/hooks/signal%2F${HOOK_SECRET}`, HOOK_SECRET)).toBe("/hooks/signal/[redacted]");
    expect(redactUrl(`/hooks/signals/${HOOK_SECRET}`, HOOK_SECRET)).toBe("/hooks/signals/[redacted]");
    expect(redactUrl("/api/signals?status=active", HOOK_SECRET)).toBe("/api/signals?status=active");
    expect(redactUrl("/api/prices/EUR%2FUSD", HOOK_SECRET)).toBe("/api/prices/EUR%2FUSD");
  });
});
