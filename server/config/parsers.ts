/** Parsers of single environment variables; a bad value throws ConfigError naming the variable. */

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function text(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function idList(env: Env, name: string): number[] {
  const raw = text(env, name);
  if (raw === null) return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      if (!/^-?\d{1,20}$/.test(s))
        throw new ConfigError(name, `must be comma-separated numeric ids, got ${JSON.stringify(s)}`);
      return Number(s);
    });
}

export function url(env: Env, name: string, fallback: string | null): string | null {
  const raw = text(env, name);
  if (raw === null) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(name, `must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, "");
}

export function links(env: Env, name: string): Array<{ title: string; url: string }> {
  const raw = text(env, name);
  if (raw === null) return [];
  return raw.split(",").map((pair) => {
    const [title, href] = pair.split("|").map((s) => s.trim());
    if (!title || !href || !/^https?:\/\//.test(href)) {
      throw new ConfigError(name, `must be "Title|https://url" pairs separated by commas, got ${JSON.stringify(pair)}`);
    }
    return { title, url: href };
  });
}
