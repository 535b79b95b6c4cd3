import { ConfigError, type Env, text } from "./parsers.ts";

/** DATABASE_URL: a postgres:// or postgresql:// URL with a host and a database name. */
export function databaseUrl(env: Env): string | null {
  const raw = text(env, "DATABASE_URL");
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError("DATABASE_URL", "must be a URL like postgres://user:pass@host:5432/sortie");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
    throw new ConfigError("DATABASE_URL", `must start with postgres:// (got ${parsed.protocol}//)`);
  if (!parsed.hostname)
    throw new ConfigError("DATABASE_URL", "must name a host: postgres://user:pass@host:5432/sortie");
  if (parsed.pathname.length <= 1)
    throw new ConfigError("DATABASE_URL", "must name a database: postgres://user:pass@host:5432/sortie");
  return raw;
}
