import { Agent, request } from "node:http";

/**
 * The terminal side of the bridge benchmark, in its own process like a real MT5 terminal:
 * on `{ poll }` it parks a long-poll and reports when the commands arrived; on `{ bare }` it
 * times a bare round trip with the same HTTP client. Times are `performance.timeOrigin + now()`
 * (epoch ms, sub-millisecond), comparable with the parent's on the same machine.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const epochNow = () => performance.timeOrigin + performance.now();

function get(url: string, token?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end();
  });
}

process.on("message", async (message: { poll?: { url: string; token: string }; bare?: { url: string } }) => {
  if (message.bare) {
    const t0 = performance.now();
    await get(message.bare.url);
    process.send!({ roundTripMs: performance.now() - t0 });
    return;
  }
  if (message.poll) {
    const parked = get(message.poll.url, message.poll.token);
    process.send!({ parked: true });
    const body = JSON.parse(await parked) as { commands: unknown[] };
    process.send!({ receivedAt: epochNow(), commands: body.commands.length });
  }
});
process.send!({ ready: true });
