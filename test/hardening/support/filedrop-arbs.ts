import { appendFile, mkdir, symlink, writeFile } from "node:fs/promises";
import fc from "fast-check";
import { writeFileAtomic } from "../../../bridge/filedrop/index.ts";
import { raw, toJsonText } from "./fuzz-arbs.ts";

export type Fate = "consumed" | "quarantined" | "either";
export interface Drop {
  name: string;
  fate: Fate;
  write: (path: string) => Promise<void>;
}

/** Garbage (and some good reports) for `out/`, each with what the transport must do with it. */
export function dropArb(ids: { mine: string[]; theirs: string }): fc.Arbitrary<Omit<Drop, "name"> & { ext: string }> {
  const text = (body: string) => async (path: string) => writeFile(path, body);
  const mine = fc.constantFrom(...ids.mine);
  const good = mine.map((id) =>
    JSON.stringify({ id, status: "filled", retcode: 10009, ticket: 9, price: 1.085, volume: 0.25 }),
  );
  const weird = fc.constantFrom(raw("1e308"), raw("-1e308"), -1, 0, "x", null, raw("5e-324"), 2 ** 60);
  return fc.oneof(
    good.map((body) => ({ ext: ".json", fate: "consumed" as Fate, write: (p: string) => writeFileAtomic(p, body) })),
    // Written in two halves 20 ms apart (a non-atomic writer): read once complete, never quarantined.
    good.map((body) => ({
      ext: ".json",
      fate: "consumed" as Fate,
      write: async (p: string) => {
        await writeFile(p, body.slice(0, 10));
        setTimeout(() => void appendFile(p, body.slice(10)), 20);
      },
    })),
    fc
      .uint8Array({ maxLength: 300 })
      .map((bytes) => ({ ext: ".json", fate: "quarantined" as Fate, write: (p: string) => writeFile(p, bytes) })),
    good.map((body) => ({ ext: ".json", fate: "quarantined" as Fate, write: text(body.slice(0, body.length - 3)) })),
    fc
      .jsonValue({ maxDepth: 2 })
      .filter((v) => typeof v !== "object" || v === null || Array.isArray(v) || !("id" in v))
      .map((v) => ({ ext: ".json", fate: "quarantined" as Fate, write: text(JSON.stringify(v)) })),
    fc.constantFrom("c_NOPE", ids.theirs, "../../etc/passwd", "").map((id) => ({
      ext: ".json",
      fate: "quarantined" as Fate,
      write: text(JSON.stringify({ id, status: "filled", price: 1.085 })),
    })),
    fc.constantFrom("c_NOPE", ids.theirs).map((id) => ({
      ext: ".closed.json",
      fate: "quarantined" as Fate,
      write: text(JSON.stringify({ id, close_price: 1.09, profit: 5 })),
    })),
    mine.map((id) => ({
      ext: ".json",
      fate: "quarantined" as Fate,
      write: text(JSON.stringify({ id, status: "maybe" })),
    })),
    mine.map((id) => ({
      ext: ".json",
      fate: "quarantined" as Fate,
      write: text(JSON.stringify({ type: "teleport", id })),
    })),
    fc.tuple(mine, weird, weird).map(([id, price, volume]) => ({
      ext: ".json",
      fate: "either" as Fate,
      write: text(toJsonText({ id, status: "filled", retcode: 10009, price, volume })),
    })),
    fc.tuple(mine, weird).map(([id, profit]) => ({
      ext: ".closed.json",
      fate: "either" as Fate,
      write: text(toJsonText({ id, close_price: 1.09, profit })),
    })),
    fc
      .constantFrom(".txt", "", ".JSON", ".json.bak")
      .map((ext) => ({ ext, fate: "quarantined" as Fate, write: text("{}") })),
    fc.constant({ ext: ".tmp", fate: "quarantined" as Fate, write: text('{"id":"c_') }), // abandoned half-write
    fc.constant({ ext: ".json", fate: "quarantined" as Fate, write: text("") }),
    fc.constant({ ext: ".json", fate: "quarantined" as Fate, write: (p: string) => mkdir(p) }),
    fc.constant({ ext: ".json", fate: "quarantined" as Fate, write: (p: string) => symlink("/etc/passwd", p) }),
    fc.constant({ ext: ".json", fate: "quarantined" as Fate, write: text(`\uFEFF${"\u0000".repeat(100)}`) }),
    fc.constant({
      ext: ".json",
      fate: "quarantined" as Fate,
      write: (p: string) => writeFile(p, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("{nope", "utf16le")])),
    }),
    fc.constant({ ext: ".json", fate: "quarantined" as Fate, write: text(`{"id":"${"x".repeat(2_000_000)}"}`) }),
  );
}
