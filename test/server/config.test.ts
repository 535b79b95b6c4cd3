import { describe, expect, it } from "vitest";
import { ConfigError, LOCAL_BOT_TOKEN, loadConfig } from "../../server/config.ts";

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

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["BOT_TOKEN", "nonsense"],
    ["ALERT_CHAT_IDS", "-100,abc"],
    ["PUBLIC_URL", "not a url"],
    ["HEARTBEAT_STALE_S", "0"],
    ["ADMIN_API_TOKEN", "short"],
    ["RATE_LIMIT_PER_MIN", "-1"],
  ])("refuses %s=%s with an error naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });
});
