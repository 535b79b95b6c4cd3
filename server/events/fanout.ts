/**
 * Writes chunks to many streams without holding the event loop. Jobs run in the order they were
 * sent, so every stream sees its frames in id order; at most `sliceSize` stream writes happen per
 * turn of the event loop (the rest follow after `setImmediate`), so a request that arrives during a
 * fan-out to 10,000 streams waits for one slice (a few ms), not for the whole pass. A job sent
 * while nothing is queued has its first slice written at once: a frame for a few streams goes out
 * in the same turn, as a plain loop would.
 */
export function createFanOut<T>(write: (target: T, chunk: string) => void, sliceSize: number) {
  interface Job {
    targets: readonly T[];
    chunk: string;
    /** The next target to write. */
    next: number;
  }
  const queue: Job[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let queuedWrites = 0;
  let pumping = false;

  function pump() {
    scheduled = null;
    pumping = true;
    try {
      let budget = sliceSize;
      while (queue.length > 0 && budget > 0) {
        const job = queue[0]!;
        const end = Math.min(job.targets.length, job.next + budget);
        budget -= end - job.next;
        queuedWrites -= end - job.next;
        while (job.next < end) write(job.targets[job.next++]!, job.chunk);
        if (job.next === job.targets.length) queue.shift();
      }
    } finally {
      pumping = false;
      if (queue.length > 0) scheduled = setImmediate(pump);
    }
  }

  return {
    /** Queues `chunk` for each of `targets` (the caller passes its own copy of the list). */
    send(targets: readonly T[], chunk: string): void {
      if (targets.length === 0) return;
      queue.push({ targets, chunk, next: 0 });
      queuedWrites += targets.length;
      // Not from inside a write (the running pass takes the new job in its turn).
      if (scheduled === null && !pumping) pump();
    },
    /** Stream writes not done yet. */
    backlog: (): number => queuedWrites,
    /** Drops what is queued (shutdown). */
    clear(): void {
      if (scheduled !== null) clearImmediate(scheduled);
      scheduled = null;
      queue.length = 0;
      queuedWrites = 0;
    },
  };
}
