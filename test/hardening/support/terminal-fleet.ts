import { createHttpClient, pool } from "./http-client.ts";

interface Command {
  id: string;
  fire_id: string;
  leg: number;
  entry: number;
  volume: number;
}

export interface Position {
  userId: number;
  commandId: string;
  fireId: string;
  leg: number;
  ticket: number;
}

/**
 * Many lightweight stand-ins for the EA over HTTP (a paper terminal each would be too heavy for a
 * thousand users on two cores). Each behaves like the EA where it matters: polls its commands,
 * opens a position only for a command id it has never executed (the EA's persisted memory),
 * re-reports the stored result on redelivery, and retries reports until Sortie acknowledges them.
 * Every poll is an authenticated bridge request, so it also keeps the terminal online.
 */
export function createTerminalFleet(baseUrl: string, tokens: Map<number, string>, concurrency = 16) {
  const client = createHttpClient(baseUrl, concurrency * 2);
  const positions = new Map<string, Position>(); // by command id: the EA's executed-ids memory
  const opens = new Map<string, number>(); // how many times a position was opened per command id
  const deliveries = new Map<string, number>();
  const unreported = new Map<string, { token: string; body: Record<string, unknown> }>();
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  let errors = 0;

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  async function poll(userId: number, token: string): Promise<void> {
    const res = await client.get("/bridge/v1/commands?wait=0", auth(token));
    if (res.status !== 200) return;
    for (const command of (JSON.parse(res.body) as { commands: Command[] }).commands) {
      deliveries.set(command.id, (deliveries.get(command.id) ?? 0) + 1);
      if (!positions.has(command.id)) {
        const ticket = 1_000_000 + positions.size;
        positions.set(command.id, { userId, commandId: command.id, fireId: command.fire_id, leg: command.leg, ticket });
        opens.set(command.id, (opens.get(command.id) ?? 0) + 1);
      }
      // Executed now or before: (re-)report the stored result.
      const { ticket } = positions.get(command.id)!;
      const body = {
        id: command.id,
        status: "filled",
        retcode: 10009,
        ticket,
        price: command.entry,
        volume: command.volume,
      };
      unreported.set(command.id, { token, body });
    }
  }

  async function report(id: string, token: string, body: Record<string, unknown>): Promise<void> {
    const res = await client.post("/bridge/v1/results", body, auth(token));
    if (res.status === 200) unreported.delete(id);
  }

  async function sweep(): Promise<void> {
    const count = () => (errors += 1);
    await pool(
      [...tokens].map(
        ([userId, token]) =>
          () =>
            poll(userId, token).catch(count),
      ),
      concurrency,
    );
    await pool(
      [...unreported].map(
        ([id, { token, body }]) =>
          () =>
            report(id, token, body).catch(count),
      ),
      concurrency,
    );
  }

  return {
    /** Heartbeats every terminal once (account, trade allowed), as the EA does on start. */
    async heartbeatAll(balance = 10_000): Promise<void> {
      const account = {
        login: 1,
        server: "Fleet-Demo",
        currency: "USD",
        balance,
        equity: balance,
        trade_allowed: true,
      };
      const answers = await pool(
        [...tokens.values()].map((token) => () => client.post("/bridge/v1/heartbeat", { account }, auth(token))),
        concurrency,
      );
      const bad = answers.filter((a) => a.status !== 200);
      if (bad.length > 0) throw new Error(`heartbeat: ${bad.length} failed, e.g. ${bad[0]!.status} ${bad[0]!.body}`);
    },
    /** Polls and reports for every terminal in a loop until stopped; survives a dead server. */
    start(): void {
      running = true;
      loop = (async () => {
        while (running) {
          await sweep();
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
    },
    async stop(): Promise<void> {
      running = false;
      await loop;
      client.close();
    },
    positions: () => [...positions.values()],
    opens,
    deliveries,
    pendingReports: () => unreported.size,
    networkErrors: () => errors,
  };
}
