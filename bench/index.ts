import { cpus, totalmem } from "node:os";
import { benchApi } from "./api.ts";
import { benchBridge } from "./bridge.ts";
import { benchMissions } from "./missions.ts";

/**
 * `npm run bench`: every benchmark of the project, figures as ratios against baselines measured
 * in the same run (these machines are noisy). Pass names to run a subset: `npm run bench -- api`.
 */
const suites: Record<string, () => Promise<unknown>> = {
  missions: () => benchMissions(),
  api: () => benchApi(),
  burst: () => benchApi({ missions: false }),
  bridge: () => benchBridge(),
  webapp: async () => (await import("./webapp.ts")).benchWebapp(),
  loop: async () => (await import("./loop.ts")).benchLoop(),
  load: async () => (await import("./load.ts")).benchLoad(),
  updates: async () => (await import("./updates.ts")).benchUpdates(),
  storm: async () => (await import("./storm.ts")).benchStorm(),
  memory: async () => (await import("./memory.ts")).benchMemory(),
  engine: async () => (await import("./engine.ts")).benchEngine(),
  "track-record": async () => (await import("./track-record.ts")).benchTrackRecord(),
  schedule: async () => (await import("./schedule.ts")).benchSchedule(),
  "track-record-store": async () => (await import("./track-record-store.ts")).benchTrackRecordStore(),
  legacy: async () => (await import("./legacy-import.ts")).benchLegacyImport(),
  outbox: async () => (await import("./outbox.ts")).benchOutbox(),
  overlay: async () => (await import("./overlay.ts")).benchOverlay(),
};

async function main() {
  const wanted = process.argv.slice(2).filter((a) => a !== "--");
  const names = wanted.length > 0 ? wanted : Object.keys(suites);
  console.log(`# Sortie benchmarks — ${new Date().toISOString()}`);
  console.log(
    `# machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  for (const name of names) {
    const run = suites[name];
    if (!run) {
      console.error(`unknown benchmark ${name}; known: ${Object.keys(suites).join(", ")}`);
      process.exitCode = 2;
      continue;
    }
    try {
      const result = await run();
      console.log(`\n## ${name}\n${JSON.stringify(result, null, 2)}`);
    } catch (err) {
      console.error(`\n## ${name} FAILED: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    }
  }
}

await main();
process.exit(process.exitCode ?? 0);
