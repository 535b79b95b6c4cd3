import fc from "fast-check";

/**
 * Building blocks for HTTP fuzzing: hostile values, hostile path segments, and mutations of a
 * valid body. A value `@@RAW:x@@` is written into the JSON text verbatim (`1e999`, `-0`…), which
 * is how non-finite and out-of-range numbers reach a JSON parser at all.
 */
export const raw = (text: string) => `@@RAW:${text}@@`;

/** JSON text of `value` with the raw markers spliced in. */
export function toJsonText(value: unknown): string {
  return (JSON.stringify(value) ?? "null").replace(/"@@RAW:([^@]*)@@"/g, (_, text: string) => JSON.parse(`"${text}"`));
}

/** Prototype pollution attempt; raw, since an object holding such keys upsets reporters. */
const protoBomb = raw('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');

export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      -0.0001,
      0.1,
      1e308,
      -1e308,
      2 ** 53 + 2,
      -(2 ** 63),
      10,
      100_000,
      "",
      " ",
      "0",
      "-1",
      "1.085",
      "NaN",
      "Infinity",
      "1e400",
      "null",
      "true",
      "[]",
      "{}",
      "__proto__",
      "../../etc/passwd",
      "..%2F..%2F",
      "%00",
      "\u0000",
      "\ud800",
      "😀".repeat(100),
      "<script>alert(1)</script>",
      "'; DROP TABLE fires;--",
      "s_NOPE",
      "c_NOPE",
      "f_NOPE",
      "EURUSD",
      "BUY",
      "x".repeat(5000),
      [],
      {},
      [null],
      [[[[[]]]]],
      protoBomb,
      raw("1e999"),
      raw("-1e999"),
      raw("-0"),
      raw("1e-400"),
      raw("123456789012345678901234567890"),
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A path parameter as it appears in the URL (already encoded, or deliberately broken). */
export const nastySegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "..%2F..%2Fetc%2Fpasswd",
    "..%2f..%2f",
    "%2e%2e",
    "%2e%2e%2f%2e%2e",
    "..",
    ".",
    "%00",
    "%E0%A4%A",
    "%",
    "%ZZ",
    "%F0%9F%92%A9",
    "%20",
    "-1",
    "0",
    "1e400",
    "NaN",
    "0x10",
    "s_NOPE",
    "c_NOPE",
    "99999999999999999999",
    "a".repeat(64),
    "a".repeat(65),
    "a".repeat(300),
    "%C0%AE%C0%AE%2F",
    "..;",
    "foo%3Fbar",
    "a%23b",
    "a%2Fb",
  ),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);

/** A query string (with its `?`), sometimes absent, with hostile keys and values. */
export const nastyQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc
    .array(
      fc.tuple(
        fc.constantFrom("status", "limit", "wait", "token", "__proto__", "a[b]", "tgWebAppData", "x"),
        fc.oneof(
          fc.constantFrom("active", "all", "-1", "0", "1e400", "NaN", "", "200", "201", "%00", "a&b=c"),
          nastySegment,
        ),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => (pairs.length === 0 ? "?" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`)),
);

/** One edit of a valid body: replace a value, delete a key, or add one. */
export interface Mutation {
  at: number;
  op: "set" | "delete" | "add";
  key: string;
  value: unknown;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "set", "delete", "add"),
  key: fc.oneof(fc.constantFrom("__proto__", "constructor", "user_id", "id", "extra"), fc.string({ maxLength: 8 })),
  value: nastyValue,
});

/** Applies mutations to a deep copy of `template` (paths picked by index among all its nodes). */
export function mutate(template: unknown, mutations: Mutation[]): unknown {
  let root = structuredClone(template);
  for (const generated of mutations) {
    // Never insert fast-check's own value: later edits would change it (and make cycles) in place.
    const m = { ...generated, value: structuredClone(generated.value) };
    const nodes: Array<{ parent: Record<string, unknown> | null; key: string | null }> = [{ parent: null, key: null }];
    const walk = (node: unknown) => {
      if (typeof node !== "object" || node === null) return;
      for (const key of Object.keys(node)) {
        nodes.push({ parent: node as Record<string, unknown>, key });
        walk((node as Record<string, unknown>)[key]);
      }
    };
    walk(root);
    const { parent, key } = nodes[m.at % nodes.length]!;
    if (parent === null || key === null) {
      if (m.op === "set") root = m.value;
      else if (m.op === "add" && typeof root === "object" && root !== null)
        Object.defineProperty(root, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      continue;
    }
    // defineProperty, not assignment: a key named `__proto__` must stay a plain own property.
    const define = (k: string) =>
      Object.defineProperty(parent, k, { value: m.value, enumerable: true, configurable: true, writable: true });
    if (m.op === "delete") delete parent[key];
    else define(m.op === "set" ? key : m.key);
  }
  return root;
}

/** Bodies that are not JSON at all, or broken JSON. */
export const garbageText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    "[",
    "nul",
    '{"a":}',
    '{"a":1,}',
    "\u0000",
    "\uFEFF{}",
    "{}{}",
    "'single'",
    "NaN",
    "1e999",
    '{"signal_id": "s_',
    "[".repeat(10_000),
    '{"a":'.repeat(3000),
    '"\\ud800"',
    "<xml/>",
  ),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => (JSON.stringify(v) ?? "").slice(0, -1)),
);
