import type { DoneFuncWithErrOrRes, FastifyReply, FastifyRequest } from "fastify";

/**
 * A hot route's `onSend` hook: its answer waits for the event loop's check phase, and leaves with
 * every other answer the same turn of the loop produced, after the turn's requests are all read.
 *
 * Why (BENCHMARKS.md, 2026-11-30): written at once, each answer of a busy route left ~30 µs after
 * the one before, enough for the client (wrk in the benchmark; in production, the reverse proxy)
 * to read it and go back to sleep, so nearly every write also paid in the kernel for waking the
 * client up. On these machines (2 vCPUs of a shared host) that was about a third of the server's
 * time per Mini App read, and the rate flipped between ~24,000 and ~34,000 reads a second from
 * one run to the next. Written together, the answers reach a client that is awake: ~40,000 a
 * second. The cost is the wait for the turn's other requests: under wrk's 64 connections, a
 * median answer 0.2–0.45 ms later than the bare route's.
 *
 * A route using it lets Fastify send its answer (the handler returns the payload): while the
 * answer waits, `reply.sent` is still false, so a handler that called `reply.send` and returned a
 * promise would be answered twice.
 */
export function answerWithTurn(
  _req: FastifyRequest,
  _reply: FastifyReply,
  payload: unknown,
  done: DoneFuncWithErrOrRes,
): void {
  setImmediate(done, null, payload);
}
