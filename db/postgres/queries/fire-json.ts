/**
 * PostgreSQL edition of FIRE_JSON (db/rows.ts): a fire with its legs as one JSON value, which
 * node-postgres parses into the FireView object (pass it through withTerminalParts, db/rows.ts).
 * Needs the fire aliased `f`.
 */
import { LEG_BLOCK } from "../../../core/legs.ts";

export const PG_FIRE_JSON = `json_build_object(
  'id', f.id, 'signal_id', f.signal_id, 'user_id', f.user_id, 'state', f.state, 'lots', f.lots,
  'symbol', f.symbol, 'broker_symbol', f.broker_symbol, 'side', f.side, 'risk_amount', f.risk_amount,
  'fill_price', f.fill_price, 'slippage_pips', f.slippage_pips, 'latency_ms', f.latency_ms,
  'profit', f.profit, 'message', f.message, 'xp_awarded', f.xp_awarded, 'created_at', f.created_at,
  'updated_at', f.updated_at, 'closed_at', f.closed_at,
  'legs', coalesce((SELECT json_agg(json_build_object(
      'id', c.id, 'leg', c.leg % ${LEG_BLOCK}, 'volume', c.payload::json -> 'volume', 'filled_volume', c.volume,
      'take_profit', c.payload::json -> 'take_profit', 'state', c.state, 'price', c.price,
      'ticket', c.ticket, 'retcode', c.retcode, 'message', c.message, 'close_price', c.close_price,
      'profit', c.profit, 'closed_at', c.closed_at, 'deliveries', c.deliveries, 'bridge_user_id', c.user_id)
      ORDER BY c.leg)
    FROM bridge_commands c WHERE c.fire_id = f.id), '[]'::json),
  'terminals', coalesce((SELECT json_agg(json_build_object('id', t.terminal_id, 'name', t.name, 'status', t.status,
      'lots', t.lots, 'risk_amount', t.risk_amount, 'reason', t.reason, 'bridge_user_id', t.bridge_user_id)
      ORDER BY t.position)
    FROM fire_terminals t WHERE t.fire_id = f.id), '[]'::json))`;
