/** Shared fixtures for the bridge tests: temp folders, symbol specs, commands, polling waits. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BridgeCommand, HeartbeatSymbol } from "../../../bridge/protocol.ts";
import { spec } from "../../support/paper.ts";

/** EURUSD on a "…m" suffix account: 1 lot = 100 000, one 0.00001 tick = 1 USD per lot. */
export const EURUSD_M: HeartbeatSymbol = spec("EURUSD.m");

export const XAUUSD_M: HeartbeatSymbol = {
  name: "XAUUSD.m",
  tick_size: 0.01,
  tick_value: 1,
  volume_min: 0.01,
  volume_step: 0.01,
  volume_max: 50,
  contract_size: 100,
  digits: 2,
};

let sequence = 0;

/** A BUY EURUSD.m command at 1.08502 (the default ask), valid for an hour; override anything. */
export function makeCommand(overrides: Partial<BridgeCommand> = {}): BridgeCommand {
  sequence++;
  return {
    id: `c_test${Date.now().toString(36)}${sequence}`,
    fire_id: `f_test${sequence}`,
    leg: 0,
    action: "open",
    symbol: "EURUSD.m",
    side: "BUY",
    volume: 0.1,
    entry: 1.08502,
    max_entry_distance: 0.0003,
    stop_loss: 1.08302,
    take_profit: 1.08702,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    comment: "sortie",
    ...overrides,
  };
}

export async function makeTempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `sortie-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Polls `probe` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 5000,
  what = "condition",
): Promise<NonNullable<T>> {
  const untilMs = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > untilMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
