import { describe, expect, it } from "vitest";
import { ConfigError, LOCAL_BOT_TOKEN, loadConfig } from "../../server/config/index.ts";
import type { AppContext } from "../../server/context.ts";
import { startupReport } from "../../server/extras.ts";

describe("loadConfig", () => {
  it("defaults to local mode with the contract's defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      localMode: true,
      signingToken: LOCAL_BOT_TOKEN,
      host: "127.0.0.1",
      port: 8080,
      publicUrl: "http://127.0.0.1:8080",
      databasePath: "./data/sortie.db",
      initDataMaxAgeS: 86400,
      heartbeatStaleS: 30,
      rateLimitPerMin: 120,
      rateLimitIpPerMin: 6000,
      adminApiToken: null,
      signalHookSecret: null,
      alertChatIds: [],
    });
  });

  it("parses lists and a real token", () => {
    const c = loadConfig({
      BOT_TOKEN: "123456:AAbbCCddEEffGGhhIIjjKKll",
      ALERT_CHAT_IDS: "-1001, -1002",
      ADMIN_IDS: "1,2",
      PORT: "9000",
    });
    expect(c).toMatchObject({
      localMode: false,
      alertChatIds: [-1001, -1002],
      adminIds: [1, 2],
      publicUrl: "http://127.0.0.1:9000",
    });
  });

  it("accepts any token shapes the contract allows: short admin tokens and hook secrets, test bot tokens", () => {
    const config = loadConfig({ ADMIN_API_TOKEN: "admin", SIGNAL_HOOK_SECRET: "tv.hook~1", BOT_TOKEN: "123:abc" });
    expect(config).toMatchObject({ adminApiToken: "admin", signalHookSecret: "tv.hook~1", botToken: "123:abc" });
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["BOT_TOKEN", "nonsense"],
    ["ALERT_CHAT_IDS", "-100,abc"],
    ["PUBLIC_URL", "not a url"],
    ["HEARTBEAT_STALE_S", "0"],
    ["ADMIN_API_TOKEN", "two words"],
    ["SIGNAL_HOOK_SECRET", "a/b"],
    ["BOT_TOKEN", "123456"],
    ["RATE_LIMIT_PER_MIN", "-1"],
  ])("refuses %s=%s with an error naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });
});

describe("start-up report", () => {
  it("warns about a short admin token or hook secret, and not about long ones", () => {
    const report = (env: Record<string, string>) => startupReport({ config: loadConfig(env) } as AppContext);
    const short = report({ ADMIN_API_TOKEN: "admin", SIGNAL_HOOK_SECRET: "hook" });
    expect(short.filter((l) => l.startsWith("warning:"))).toEqual([
      "warning: ADMIN_API_TOKEN is shorter than 16 characters; a long random value is much harder to guess",
      "warning: SIGNAL_HOOK_SECRET is shorter than 16 characters; a long random value is much harder to guess",
    ]);
    const long = report({ ADMIN_API_TOKEN: "a".repeat(32), SIGNAL_HOOK_SECRET: "h".repeat(24) });
    expect(long.filter((l) => l.startsWith("warning:"))).toEqual([]);
  });
});
