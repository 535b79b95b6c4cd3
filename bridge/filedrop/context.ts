/** What every part of the file-drop watcher shares. */
import type { BridgeService } from "../protocol.ts";

export interface FileDropContext {
  /** The bridge folder (the terminal's `MQL5/Files/sortie`). */
  dir: string;
  inDir: string;
  outDir: string;
  quarantineDir: string;
  userId: number;
  service: BridgeService;
  log: (line: string) => void;
  /** An unparseable `.json` younger than this is retried rather than quarantined. */
  settleMs: number;
  /** A `.tmp` file older than this is abandoned and quarantined. */
  tmpStaleMs: number;
  /** A `heartbeat.json` older than this is not news (the terminal may be long gone). */
  heartbeatMaxAgeMs: number;
  now: () => number;
}
