import { Agent, request } from "node:http";

/**
 * A small `node:http` client with keep-alive, as a terminal or a Mini App's browser holds its
 * connection: one agent per party, so the trader's and the terminal's requests never share a socket.
 */
export function keepAliveClient(root: string, maxSockets = 1) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    agent,
    send(
      method: string,
      path: string,
      headers: Record<string, string> = {},
      body?: unknown,
    ): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          `${root}${path}`,
          {
            method,
            agent,
            headers: payload === undefined ? headers : { ...headers, "content-type": "application/json" },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              text += chunk;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on("error", reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
