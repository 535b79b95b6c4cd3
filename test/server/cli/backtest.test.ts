import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { backtestSeries } from "../../core/engine/series.ts";
import { tempDir } from "../../support/tmp.ts";

describe("npm run backtest", () => {
  it("prints the trades and the summary and writes the equity curve as SVG", async () => {
    const { dir, cleanup } = tempDir("sortie-backtest-");
    try {
      const file = join(dir, "eurusd-m5.csv");
      const rows = backtestSeries().map((c) => [new Date(c.t).toISOString(), c.open, c.high, c.low, c.close].join(","));
      writeFileSync(file, `time,open,high,low,close\n${rows.join("\n")}\n`);
      const svgPath = join(dir, "equity.svg");
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          "--import",
          "tsx",
          "server/cli/backtest.ts",
          "--strategy",
          "liquidity-sweep",
          "--candles",
          file,
          "--symbol",
          "EURUSD",
          "--spread",
          "0.0001",
          "--svg",
          svgPath,
        ],
        { cwd: join(import.meta.dirname, "../../.."), timeout: 60_000 },
      );
      expect(stdout).toContain("trades 2 · win rate 50.0 % · average R +0.60 · total R +1.21 · max drawdown 1.00 R");
      expect(stdout).toMatch(/BUY +1\.0996 +SL 1\.0973 .* \+2\.21 R/);
      expect(stdout).toMatch(/SELL +1\.1064 +SL 1\.1087 .* -1\.00 R/);
      const svg = readFileSync(svgPath, "utf8");
      expect(svg).toMatch(/^<svg /);
      expect(svg).toContain("<polyline");
      expect(svg).toContain("2 trades");
    } finally {
      cleanup();
    }
  });
});

describe("npm run backtest with bad input", () => {
  it("exits 2 naming the option or the CSV line", async () => {
    const { dir, cleanup } = tempDir("sortie-backtest-");
    try {
      const file = join(dir, "eurusd.csv");
      writeFileSync(file, "time,open,high,low,close\n2026-11-20T09:00:00Z,1.1,1.0,1.0,1.05\n");
      const run = (args: string[]) =>
        promisify(execFile)(process.execPath, ["--import", "tsx", "server/cli/backtest.ts", ...args], {
          cwd: join(import.meta.dirname, "../../.."),
          timeout: 60_000,
        }).then(
          () => ({ code: 0, stderr: "" }),
          (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
        );
      expect(await run(["--strategy", "nope", "--candles", file])).toEqual({
        code: 2,
        stderr: "backtest: --strategy: one of liquidity-sweep, trend-pullback\n",
      });
      expect(await run(["--strategy", "liquidity-sweep", "--candles", file])).toEqual({
        code: 2,
        stderr: "backtest: line 2: high: 1 is below open, close or low\n",
      });
    } finally {
      cleanup();
    }
  });
});
