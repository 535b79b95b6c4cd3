import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args…` from the repository root with `env` added to a clean copy of the
 * environment (no DATABASE_PATH or tokens leak in from the developer's shell), and collects output.
 */
export function run(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 30_000) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(DATABASE_PATH|BOT_TOKEN|ADMIN_API_TOKEN|PORT)$/.test(k)),
  );
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `node --import tsx <script> args…` (what `npm run <script>` does, minus npm's start-up time). */
export const runTs = (script: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ["--import", "tsx", script, ...args], env);
