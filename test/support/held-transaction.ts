import type { Store } from "../../db/store.ts";

/**
 * Runs `work` in a transaction of `store` and keeps that transaction open until `release()`, so
 * a test can start a competing transaction against the locks it holds. `opened` resolves once
 * `work` is done (its locks taken); `committed` once the transaction has ended.
 */
export function holdTransaction(store: Store, work: () => Promise<void>) {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let opened: () => void = () => undefined;
  const isOpen = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const committed = store.transaction(async () => {
    await work();
    opened();
    await released;
  });
  return { opened: Promise.race([isOpen, committed]), release, committed };
}
