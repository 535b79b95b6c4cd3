import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * wrk (Debian's package) is the load client of the throughput benchmarks: a C program in its own
 * process, so the server under test keeps its core (a Node client in the server's process took CPU
 * from both sides and pulled every ratio toward 1). Installed with apt-get when missing; without
 * root or apt, the benchmark stops and says how to install it.
 */
export function ensureWrk(): void {
  if (spawnSync("wrk", ["--version"]).error === undefined) return;
  console.error("# wrk is missing: installing Debian's package (apt-get install -y wrk)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  spawnSync("apt-get", ["install", "-y", "-qq", "wrk"], { stdio: "inherit", env });
  if (spawnSync("wrk", ["--version"]).error !== undefined) {
    throw new Error("wrk is required: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu) and rerun");
  }
}

export interface WrkRun {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  /** Socket errors plus non-2xx answers. */
  errors: number;
}

/** wrk's `--latency` figures are printed as `50%  1.23ms`; returns milliseconds. */
function latencyMs(output: string, percent: string): number {
  const match = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(output);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

/**
 * One wrk run of `durationS` seconds against `root` + `path` with `-t1 -c<connections>`. Each
 * request carries the next line of `rotate` (tab-separated header values, see bench/rotate.lua) in
 * turn, so many users and client addresses share the run as in production.
 */
export async function runWrk(opts: {
  dir: string;
  root: string;
  path: string;
  durationS: number;
  connections?: number;
  /** Lines of `authorization\tx-forwarded-for`. */
  rotate: string[];
}): Promise<WrkRun> {
  const file = join(opts.dir, `rotate-${opts.rotate.length}.txt`);
  writeFileSync(file, `${opts.rotate.join("\n")}\n`);
  const child = spawn(
    "wrk",
    [
      "-t1",
      `-c${opts.connections ?? 64}`,
      `-d${opts.durationS}s`,
      "--latency",
      "-s",
      join(import.meta.dirname, "rotate.lua"),
      `${opts.root}${opts.path}`,
    ],
    { env: { ...process.env, ROTATE_FILE: file, REQUEST_PATH: opts.path }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    output += chunk;
  });
  await once(child, "exit");
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? Number.NaN);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  return {
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN)),
    p50_ms: latencyMs(output, "50"),
    p99_ms: latencyMs(output, "99"),
    requests,
    errors: non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

/** Median and spread (min–max) of a list. */
export function spread(xs: number[], digits = 3) {
  const sorted = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  return { median: r(sorted[Math.floor(sorted.length / 2)]!), min: r(sorted[0]!), max: r(sorted.at(-1)!) };
}
