import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import type { Signal } from "../../core/types.ts";
import { answerWithTurn } from "../answer-in-turn.ts";
import { forbidden, notFound } from "../errors.ts";
import { errorResponses, MissionSchema, SignalIdParams, SignalSchema } from "../schemas.ts";
import type { MissionView } from "../services/missions.ts";
import type { TerminalMission } from "../services/terminals/mission.ts";
import type { App, RouteDeps } from "./types.ts";

/** A mission without its shared signal: the part that differs per user. */
const PersonalPartSchema = Type.Omit(MissionSchema, ["signal"]);
/** The part of it that changes with time and fires (expiry, terminal liveness, the fire, counts). */
const LivePartSchema = Type.Pick(MissionSchema, [
  "status",
  "fire",
  "fire_count",
  "expires_in_s",
  "bridge",
  "can_fire",
  "fire_block",
  "terminals",
]);
/** The part that stays the same while the user's overlay row and the signal do (one terminal). */
const SteadyPartSchema = Type.Pick(MissionSchema, ["user", "position", "note", "note_updated_at", "links"]);

type Serializer = (value: object) => string;

/** `schema`'s serialiser, compiled by Fastify on the first answer and kept (one lookup saved per answer). */
function serializer(): (reply: FastifyReply, schema: object) => Serializer {
  let compiled: Serializer | undefined;
  return (reply, schema) =>
    (compiled ??= reply.compileSerializationSchema(schema as Record<string, unknown>) as Serializer);
}

/** The caller's mission, and their private note on it. */
export function missionRoutes(app: App, { ctx, auth, userLimit }: RouteDeps): void {
  const { missions, store, clock, hub } = ctx;
  /**
   * Every user's mission carries the same signal (~600 of its ~1,200 bytes): it is serialised once
   * per signal object (the mission service keeps one per signal version and second) and joined
   * with the user's part. Both parts go through their response schemas, as the whole would.
   */
  const signalJson = new WeakMap<Signal, string>();
  const signalSerializer = serializer();
  const personalSerializer = serializer();
  /**
   * Likewise the user's steady part (their overlay, sizing, note, links: about half the rest) is
   * serialised once per cached overlay and signal object (the mission service replaces the overlay
   * when the user's data changes), kept with the overlay, and joined with the live part,
   * serialised on every answer.
   */
  const liveSerializer = serializer();
  const steadySerializer = serializer();

  /** The user's part as JSON without its braces: `"status":…,"links":[…]`. */
  const personalMembers = (reply: FastifyReply, mission: MissionView): string => {
    // Several terminals (or one at another allocation): the sizing comes from every terminal's
    // row, not only this one, so nothing of it is kept: serialised whole.
    if ("terminal_plans" in mission && (mission as TerminalMission).terminal_plans.length > 0) {
      return personalSerializer(reply, PersonalPartSchema)(mission).slice(1, -1);
    }
    const { overlay } = mission;
    let steady = overlay.steadyJson;
    if (steady?.signal !== mission.signal) {
      steady = { signal: mission.signal, json: steadySerializer(reply, SteadyPartSchema)(mission) };
      overlay.steadyJson = steady;
    }
    // Both are objects with a required first member, never `{}`.
    return `${liveSerializer(reply, LivePartSchema)(mission).slice(1, -1)},${steady.json.slice(1, -1)}`;
  };

  /** The answer, as text already JSON: Fastify does not serialise it again. */
  const answer = (reply: FastifyReply, mission: MissionView): string => {
    let shared = signalJson.get(mission.signal);
    if (shared === undefined) {
      shared = signalSerializer(reply, SignalSchema)(mission.signal);
      signalJson.set(mission.signal, shared);
    }
    reply.type("application/json; charset=utf-8");
    return `{"signal":${shared},${personalMembers(reply, mission)}}`;
  };

  app.get(
    "/api/missions/:signalId",
    {
      // Callback-style hooks: a known user's read passes both without a promise.
      preValidation: [auth.userHook, userLimit],
      onSend: answerWithTurn,
      schema: {
        tags: ["missions"],
        params: SignalIdParams,
        response: { 200: MissionSchema, ...errorResponses(400, 401, 404, 429) },
      },
    },
    (req, reply) => {
      if (req.caller?.kind !== "user") throw forbidden("Missions belong to Telegram users");
      // Warm (signal and overlay cached): built in this turn, no promise; else read first.
      // The answer is JSON text, not the object the response schema types.
      const ready = missions.cachedMission(req.caller.userId, req.params.signalId);
      if (ready) return answer(reply, ready) as never;
      return missions
        .missionFor(req.caller.userId, req.params.signalId)
        .then((mission) => answer(reply, mission) as never);
    },
  );

  app.put(
    "/api/missions/:signalId/note",
    {
      preValidation: [auth.user.bind(auth), userLimit],
      schema: {
        tags: ["missions"],
        params: SignalIdParams,
        body: Type.Object({ text: Type.String({ maxLength: 4000 }) }),
        response: {
          200: Type.Object({ note: Type.Object({ text: Type.String(), updated_at: Type.String() }) }),
          ...errorResponses(400, 401, 404, 429),
        },
      },
    },
    async (req) => {
      if (req.caller?.kind !== "user") throw forbidden("Notes belong to Telegram users");
      const userId = req.caller.userId;
      if (!(await missions.findSignal(req.params.signalId))) throw notFound("Signal");
      const updatedAt = new Date(clock.now()).toISOString();
      await store.users.saveNote(userId, req.params.signalId, req.body.text, updatedAt);
      hub.emit("user.updated", { user_id: userId });
      return { note: { text: req.body.text, updated_at: updatedAt } };
    },
  );
}
