/**
 * Builds the MT5 bridge EA as a Linux program: the same `SortieBridge.mq5` (and its includes)
 * that MetaEditor compiles, through a light source rewrite, compiled by g++ against the MQL5
 * emulation in this folder. `npm run ea:build` prints the binary's path. Builds are cached by a
 * hash of every source, so tests that call `buildEa()` compile only after a change.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const mt5Dir = resolve(here, "..");
const repoDir = resolve(mt5Dir, "../..");
const cacheDir = join(repoDir, ".build", "ea");
// -Wno-address: the runner tests the EA's optional handlers (weak symbols) for null on purpose.
const COMPILER_FLAGS = [
  "-std=c++17",
  "-O1",
  "-Wall",
  "-Wno-unused-variable",
  "-Wno-unused-but-set-variable",
  "-Wno-address",
];

/** Every file the binary is made of, as paths relative to bridge/mt5 (sorted: stable hash). */
function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return /\.(mq5|mqh|h|ts)$/.test(entry.name) ? [relative(mt5Dir, path)] : [];
    });
  return walk(mt5Dir).sort();
}

const INPUT_LINE = /^(\s*)input\s+(\w+)\s+(\w+)(\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;"]*))?;/;
const DYNAMIC_ARRAY = /\b(const\s+)?([A-Za-z_]\w*)\s+(&\s*)?([A-Za-z_]\w*)\s*\[\]/g;

/**
 * The rewrite from MQL5 to C++, line for line (so g++ errors point at the .mq5's own lines):
 * `#property` becomes a comment, `input T Name = v;` a global registered for `--input`, and a
 * dynamic array `T name[]` (declaration or reference parameter) an `MqlArray<T>`.
 */
export function mqlToCpp(source: string): string {
  return source
    .split("\n")
    .map((line) => {
      if (/^\s*#property\b/.test(line)) return `// ${line}`;
      const input = INPUT_LINE.exec(line);
      if (input) {
        const [whole, indent, type, name, init] = input;
        const rest = line.slice(whole.length);
        return `${indent}${type} ${name}${init ?? ""}; static const bool mql_input_${name} = mql::RegisterInput("${name}", ${name});${rest}`;
      }
      return line.replace(
        DYNAMIC_ARRAY,
        (_m, constWord: string | undefined, type: string, ref: string | undefined, name: string) =>
          `${constWord ?? ""}MqlArray<${type}> ${ref ? "&" : ""}${name}`,
      );
    })
    .join("\n");
}

/**
 * Compiles (unless the cache has this exact source) and returns the binary's absolute path.
 * `entry` is the program to build: the Sortie EA by default (tests also build small MQL5 checks).
 */
export async function buildEa(entry = join(mt5Dir, "SortieBridge.mq5")): Promise<string> {
  const files = sourceFiles();
  const hash = createHash("sha256");
  hash.update(COMPILER_FLAGS.join(" "));
  hash.update(`${entry}\0${readFileSync(entry)}\0`);
  for (const file of files) hash.update(`${file}\0${readFileSync(join(mt5Dir, file))}\0`);
  const key = hash.digest("hex").slice(0, 16);
  const finalDir = join(cacheDir, key);
  const binary = join(finalDir, "sortie-bridge");
  if (existsSync(binary)) return binary;

  const workDir = join(cacheDir, `tmp-${process.pid}-${Date.now()}`);
  for (const file of files.filter((f) => /\.(mq5|mqh)$/.test(f))) {
    const target = join(workDir, "src", file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, mqlToCpp(readFileSync(join(mt5Dir, file), "utf8")));
  }
  writeFileSync(join(workDir, "src", "entry.mq5"), mqlToCpp(readFileSync(entry, "utf8")));
  const main = join(workDir, "main.cpp");
  writeFileSync(
    main,
    [`#include "${join(here, "mql5.h")}"`, `#include "src/entry.mq5"`, `#include "${join(here, "runner.h")}"`, ""].join(
      "\n",
    ),
  );
  try {
    await promisify(execFile)("g++", [...COMPILER_FLAGS, "-o", join(workDir, "sortie-bridge"), main], {
      cwd: workDir,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    rmSync(workDir, { recursive: true, force: true });
    throw new Error(`g++ could not build the EA:\n${stderr ?? String(error)}`);
  }
  try {
    renameSync(workDir, finalDir);
  } catch {
    rmSync(workDir, { recursive: true, force: true }); // another process built the same source
  }
  return binary;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildEa().then(
    (path) => console.log(path),
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
