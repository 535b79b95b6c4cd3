import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api.ts";

export interface Resource<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  /** Fetch again; `quiet` keeps the current data on screen (no skeleton) and drops errors silently. */
  reload(quiet?: boolean): Promise<void>;
  setData(update: (current: T | null) => T | null): void;
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError("CLIENT", String(error), 0);
}

/** Loads `load()` on mount and whenever `key` changes; stale answers from an older key are dropped. */
export function useResource<T>(key: string, load: () => Promise<T>): Resource<T> {
  const [data, setDataState] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(async (quiet = false) => {
    const mine = ++generation.current;
    if (!quiet) {
      setLoading(true);
      setError(null);
    }
    try {
      const value = await loader.current();
      if (mine !== generation.current) return;
      setDataState(value);
      setError(null);
    } catch (caught) {
      if (mine !== generation.current) return;
      if (!quiet) setError(asApiError(caught));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  // `key` is the reload trigger by design.
  useEffect(() => {
    setDataState(null);
    void reload();
  }, [key, reload]);

  return { data, error, loading, reload, setData: setDataState };
}
