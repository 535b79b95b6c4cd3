import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./tmp.ts";

describe("the closing line (test/support/summary-reporter.ts)", () => {
  it("counts a file whose beforeAll threw, and one that did not load, as failures", () => {
    const dir = tempDir("sortie-reporter-");
    try {
      writeFileSync(
        join(dir.dir, "passes.test.ts"),
        'import { it, expect } from "vitest";\nit("adds", () => expect(1 + 1).toBe(2));\nit.skip("later", () => {});\n',
      );
      writeFileSync(
        join(dir.dir, "setup-throws.test.ts"),
        'import { beforeAll, describe, it } from "vitest";\ndescribe("needs a browser", () => {\n  beforeAll(() => { throw new Error("no chromium"); });\n  it("a", () => {});\n  it("b", () => {});\n});\n',
      );
      writeFileSync(join(dir.dir, "broken.test.ts"), 'import "./missing-module.ts";\n');
      writeFileSync(
        join(dir.dir, "vitest.config.ts"),
        `export default { test: { include: ["*.test.ts"], reporters: [${JSON.stringify(join(import.meta.dirname, "summary-reporter.ts"))}] } };\n`,
      );
      const run = spawnSync(join(process.cwd(), "node_modules/.bin/vitest"), ["run", "--root", dir.dir], {
        cwd: dir.dir,
        encoding: "utf8",
        env: { ...process.env, CI: "1" },
      });
      expect(run.status).toBe(1);
      expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 2 failed, 3 skipped");
    } finally {
      dir.cleanup();
    }
  }, 60_000);
});
