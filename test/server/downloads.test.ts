import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEaArchive, EA_DIR, listEaFiles } from "../../server/downloads/ea-archive.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { tempDir } from "../support/tmp.ts";

describe("GET /downloads/sortie-bridge.zip", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PUBLIC_URL: "https://sortie.example.com" } });
  });
  afterAll(() => h.close());

  it("serves the EA's sources without auth, ready for MQL5/Experts", async () => {
    const res = await h.app.inject({ method: "GET", url: "/downloads/sortie-bridge.zip" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/zip");
    expect(res.headers["content-disposition"]).toContain("sortie-bridge.zip");
    const files = unzipSync(new Uint8Array(res.rawPayload));
    const names = Object.keys(files).sort();
    expect(names).toContain("SortieBridge.mq5");
    expect(Buffer.from(files["SortieBridge.mq5"]!).equals(readFileSync(join(EA_DIR, "SortieBridge.mq5")))).toBe(true);
    // Exactly the .mq5/.mqh files found in bridge/mt5 now, nothing from emulation or build folders.
    expect(names).toEqual(listEaFiles().map((f) => f.path));
    for (const name of names) {
      expect(name).toMatch(/\.(mq5|mqh)$/);
      expect(name).not.toMatch(/^(emu|build)\//);
    }
  });

  it("serves a preset with this server's address for the EA's inputs", async () => {
    const res = await h.app.inject({ method: "GET", url: "/downloads/sortie-bridge.set" });
    expect(res.statusCode).toBe(200);
    const text = res.rawPayload.subarray(2).toString("utf16le");
    expect(res.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(text).toContain("ServerUrl=https://sortie.example.com\r\n");
    expect(text).toContain("BridgeToken=\r\n");
  });
});

describe("createEaArchive", () => {
  it("zips the .mq5 and every .mqh include with their paths, skipping emu/ and build/, and sees new files", () => {
    const tmp = tempDir("sortie-ea-");
    try {
      const put = (path: string, text: string) => {
        mkdirSync(join(tmp.dir, path, ".."), { recursive: true });
        writeFileSync(join(tmp.dir, path), text);
      };
      put("SortieBridge.mq5", '#include "Sortie/Json.mqh"\n');
      put("Sortie/Json.mqh", "// json\n");
      put("README.md", "# not in the zip\n");
      put("emu/main.cpp", "int main() {}\n");
      put("emu/shim.mqh", "// emulation only\n");
      put("build/out.mqh", "// build output\n");
      const archive = createEaArchive(tmp.dir);
      expect(Object.keys(unzipSync(archive.build().zip)).sort()).toEqual(["Sortie/Json.mqh", "SortieBridge.mq5"]);
      put("Sortie/Http.mqh", "// http\n");
      const files = unzipSync(archive.build().zip);
      expect(Object.keys(files).sort()).toEqual(["Sortie/Http.mqh", "Sortie/Json.mqh", "SortieBridge.mq5"]);
      expect(Buffer.from(files["Sortie/Http.mqh"]!).toString()).toBe("// http\n");
    } finally {
      tmp.cleanup();
    }
  });
});
