import { Agent, request } from "node:http";

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * A small JSON client over node:http with its own keep-alive pool (`maxSockets` in flight), for
 * load and crash tests that hold hundreds of requests at once. Network errors reject (a killed
 * server shows up as ECONNRESET / ECONNREFUSED).
 */
export function createHttpClient(baseUrl: string, maxSockets = 64) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(baseUrl);

  function send(method: string, path: string, headers: Record<string, string> = {}, json?: unknown) {
    const body = json === undefined ? undefined : JSON.stringify(json);
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname,
          port,
          method,
          path,
          headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end(body);
    });
  }

  return {
    send,
    get: (path: string, headers?: Record<string, string>) => send("GET", path, headers),
    post: (path: string, json: unknown, headers?: Record<string, string>) => send("POST", path, headers, json),
    close: () => agent.destroy(),
  };
}

/** Runs `tasks` with at most `limit` in flight; results in order. */
export async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
