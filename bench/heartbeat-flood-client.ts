/**
 * A heartbeat flood in its own process (bench/health-flood.ts): one bridge token posting
 * heartbeats at a fixed rate, each with `names` fresh symbol specs and prices, from `localAddress`
 * (so the per-address limit of the /health probe is not shared). Prints `{"statuses": {...}}`.
 */
import { Agent, request } from "node:http";

const [url = "", token = "", rateArg = "100", secondsArg = "30", namesArg = "1000", localAddress = "127.0.0.2"] =
  process.argv.slice(2);
const rate = Number(rateArg);
const names = Number(namesArg);
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const statuses: Record<string, number> = {};
let serial = 0;

function body(): string {
  const round = serial++;
  const symbols = [];
  const prices = [];
  for (let i = 0; i < names; i++) {
    const name = `F${round}_${i}`;
    symbols.push({
      name,
      tick_size: 0.00001,
      tick_value: 1,
      volume_min: 0.01,
      volume_step: 0.01,
      volume_max: 100,
      contract_size: 100000,
      digits: 5,
    });
    prices.push({ symbol: name, bid: 1 + i / 1e5, ask: 1.0001 + i / 1e5 });
  }
  return JSON.stringify({
    account: { login: 1, server: "Flood", currency: "USD", balance: 1000, equity: 1000, trade_allowed: true },
    symbols,
    prices,
  });
}

function post(): void {
  const payload = body();
  const req = request(
    `${url}/bridge/v1/heartbeat`,
    {
      method: "POST",
      agent,
      localAddress,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    },
    (res) => {
      statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
      res.resume();
    },
  );
  req.on("error", () => {
    statuses.error = (statuses.error ?? 0) + 1;
  });
  req.end(payload);
}

const timer = setInterval(post, 1000 / rate);
setTimeout(() => {
  clearInterval(timer);
  setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ statuses, sent: serial })}\n`);
    process.exit(0);
  }, 2000);
}, Number(secondsArg) * 1000);
