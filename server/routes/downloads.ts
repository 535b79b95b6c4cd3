import { Type } from "typebox";
import { createEaArchive, EA_DIR, eaPreset } from "../downloads/ea-archive.ts";
import type { App, RouteDeps } from "./types.ts";

/**
 * Public downloads (no auth: the EA's sources are no secret): `GET /downloads/sortie-bridge.zip`,
 * the EA ready to copy into `MQL5/Experts` (CONTRACT.md, "Downloads and symbols"), and
 * `GET /downloads/sortie-bridge.set`, a preset with this server's address filled in.
 */
export function downloadRoutes(app: App, { ctx }: RouteDeps, eaDir: string = EA_DIR): void {
  const archive = createEaArchive(eaDir);
  const binary = Type.Unsafe<Uint8Array>({ type: "string", format: "binary" });

  app.get(
    "/downloads/sortie-bridge.zip",
    {
      schema: {
        tags: ["downloads"],
        summary: "The MT5 bridge EA's source files (SortieBridge.mq5 and its includes)",
        response: { 200: binary },
      },
    },
    async (_req, reply) => {
      const { zip } = archive.build();
      return reply
        .header("content-type", "application/zip")
        .header("content-disposition", 'attachment; filename="sortie-bridge.zip"')
        .header("cache-control", "no-cache")
        .send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    },
  );

  app.get(
    "/downloads/sortie-bridge.set",
    {
      schema: {
        tags: ["downloads"],
        summary: "An MT5 preset for the EA with this server's address (paste the token yourself)",
        response: { 200: binary },
      },
    },
    async (_req, reply) =>
      reply
        .header("content-type", "application/octet-stream")
        .header("content-disposition", 'attachment; filename="SortieBridge.set"')
        .send(eaPreset(ctx.config.publicUrl, null)),
  );
}
