import type { Server } from "node:http";
import type { Socket } from "node:net";

/** How often leftover connections are looked at while the server drains. */
const SWEEP_MS = 100;

/**
 * Makes `server.close()` finish once in-flight requests are answered.
 *
 * Node's close only reaps connections it considers idle, once, and stops enforcing
 * `headersTimeout` at the same moment. A connection that was opened but has not sent a byte (a
 * client that gave up between connect and request, seen with aborted `fetch` calls) is not
 * "idle" to Node, so close waited for it forever. A connection whose response finishes after
 * close began stays in keep-alive for `keepAliveTimeout` (72 s in Fastify). While draining we
 * reap both every `SWEEP_MS`, and after `graceMs` close whatever is left.
 */
export function createDrain(server: Server, graceMs: number): { start(): void } {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  return {
    start() {
      if (!server.listening) return;
      const sweep = () => {
        server.closeIdleConnections();
        for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
      };
      const timer = setInterval(sweep, SWEEP_MS);
      const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
      timer.unref();
      deadline.unref();
      server.once("close", () => {
        clearInterval(timer);
        clearTimeout(deadline);
      });
      sweep();
    },
  };
}
