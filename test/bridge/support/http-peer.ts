/**
 * A tiny stand-in for Sortie's bridge HTTP routes (protocol v1), over a `BridgeService`, so the
 * paper terminal can be tested over real HTTP before the real server exists.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BridgeService } from "../../../bridge/protocol.ts";

export interface HttpPeer {
  baseUrl: string;
  port: number;
  /** Requests seen, as "METHOD /path". */
  requests: string[];
  close(): Promise<void>;
}

export async function startHttpPeer(
  service: BridgeService,
  tokens: Record<string, number>,
  port = 0,
): Promise<HttpPeer> {
  const requests: string[] = [];
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error: { code, message } });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://peer");
    requests.push(`${req.method} ${url.pathname}`);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const userId = token ? tokens[token] : undefined;
    if (userId === undefined) return fail(res, 401, "UNAUTHORIZED", "bad bridge token");
    await service.touch(userId);
    if (req.method === "GET" && url.pathname === "/bridge/v1/commands") {
      const waitS = Math.min(30, Math.max(0, Number(url.searchParams.get("wait")) || 0));
      let commands = await service.takeCommands(userId);
      if (commands.length === 0 && waitS > 0) {
        const gone = new AbortController();
        res.on("close", () => gone.abort());
        await service.waitForCommands(userId, waitS * 1000, gone.signal);
        if (gone.signal.aborted) return;
        commands = await service.takeCommands(userId);
      }
      return send(res, 200, { commands });
    }
    if (req.method !== "POST") return fail(res, 404, "NOT_FOUND", "no such route");
    let body: unknown;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return fail(res, 400, "BAD_REQUEST", "body is not JSON");
    }
    try {
      if (url.pathname === "/bridge/v1/heartbeat")
        return send(res, 200, await service.heartbeat(userId, body as never));
      if (url.pathname === "/bridge/v1/results") await service.submitResult(userId, body as never);
      else if (url.pathname === "/bridge/v1/closed") await service.submitClosed(userId, body as never);
      else return fail(res, 404, "NOT_FOUND", "no such route");
      return send(res, 200, { ok: true });
    } catch (error) {
      return fail(res, 404, "NOT_FOUND", (error as Error).message);
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error) => fail(res, 500, "INTERNAL", String(error)));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
