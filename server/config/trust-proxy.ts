import { isIP } from "node:net";
import { ConfigError, type Env, text } from "./parsers.ts";

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY: unset = no proxy trusted (X-Forwarded-For ignored); a hop count (`1`); or a
 * comma-separated list of `loopback`/`linklocal`/`uniquelocal`, addresses and CIDR ranges, as
 * Fastify's `trustProxy` takes them (https://fastify.dev/docs/latest/Reference/Server/#trustproxy).
 */
export function trustProxy(env: Env): false | number | string[] {
  const raw = text(env, "TRUST_PROXY");
  if (raw === null) return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 100) throw new ConfigError("TRUST_PROXY", `a hop count must be between 0 and 100, got ${hops}`);
    return hops === 0 ? false : hops;
  }
  return raw.split(",").map((entry) => {
    const item = entry.trim();
    const [address = "", prefix, extra] = item.split("/");
    const family = isIP(address);
    const validPrefix =
      prefix === undefined ||
      (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32)) ||
      (family === 4 && isIP(prefix) === 4);
    if (!PROXY_NAMES.has(item.toLowerCase()) && (family === 0 || !validPrefix || extra !== undefined)) {
      throw new ConfigError(
        "TRUST_PROXY",
        `must be a hop count, or loopback/linklocal/uniquelocal and addresses or CIDR ranges separated by commas, got ${JSON.stringify(item)}`,
      );
    }
    return PROXY_NAMES.has(item.toLowerCase()) ? item.toLowerCase() : item;
  });
}
