import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { ROOT } from "./cli.ts";

export interface FleetEvent {
  e: string;
  user?: number;
  id?: string;
  dup?: boolean;
  status?: string;
  action?: string | null;
  profit?: number;
}

/** What `paper-fleet-main.ts` runs: its JSON argument. */
export interface PaperFleetConfig {
  baseUrl: string;
  dir: string;
  terminals: Array<{ id: number; token: string; ask: number; protocol?: "1" | "1.1" }>;
  /** Where state files go (default `dir`): the benchmark puts them on tmpfs. */
  stateDir?: string;
  heartbeatMs?: number;
  stopsCheckMs?: number;
}

/** Starts paper terminals in their own process (`paper-fleet-main.ts`) and follows their events. */
export async function startPaperFleet(config: PaperFleetConfig) {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "test/hardening/support/paper-fleet-main.ts", JSON.stringify(config)],
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  const events: FleetEvent[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      events.push(JSON.parse(line) as FleetEvent);
    } catch {
      stderr += `${line}\n`;
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waitEvent = async (match: (e: FleetEvent) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!events.some(match)) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`paper fleet: no such event; stderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await waitEvent((e) => e.e === "ready");
  const send = (message: Record<string, unknown>) => child.stdin!.write(`${JSON.stringify(message)}\n`);
  return {
    events,
    stderr: () => stderr,
    async setPrice(bid: number, ask: number) {
      const before = events.filter((e) => e.e === "priced").length;
      send({ cmd: "price", bid, ask });
      await waitEvent(() => events.filter((e) => e.e === "priced").length > before);
    },
    async crashAfterExecute(ids: number[]) {
      const before = events.filter((e) => e.e === "armed").length;
      send({ cmd: "crashAfterExecute", ids });
      await waitEvent(() => events.filter((e) => e.e === "armed").length > before);
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
