/** A minimal typed event emitter; a throwing listener never breaks the emitter's caller. */
export interface Emitter<Events> {
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void;
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
}

export function createEmitter<Events>(log: (line: string) => void): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => void set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          (listener as (value: typeof payload) => void)(payload);
        } catch (error) {
          log(`paper: a ${String(event)} listener threw: ${(error as Error).message}`);
        }
      }
    },
  };
}
