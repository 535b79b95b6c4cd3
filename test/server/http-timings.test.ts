import { describe, expect, it } from "vitest";
import { HttpTimings } from "../../server/http-timings.ts";

describe("HTTP request timings (sortie_http_request_duration_seconds)", () => {
  it("writes a Prometheus histogram per method, route and status: cumulative buckets, sum and count", () => {
    const timings = new HttpTimings();
    const missions = timings.forRoute("/api/missions/:signalId");
    expect(timings.forRoute("/api/missions/:signalId")).toBe(missions); // one per pattern
    missions.record("GET", 200, 0.0004);
    missions.record("GET", 200, 0.003);
    missions.record("GET", 200, 42);
    missions.record("GET", 429, 0.0002);
    timings.unmatched.record("POST", 404, 0.002);
    timings.forRoute('/odd/"quoted"\\path').record("GET", 200, 0.001);
    const lines = timings.exposition().trimEnd().split("\n");
    const value = (series: string) => {
      const line = lines.find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.split(" ")[1]);
    };
    const ok = 'method="GET",route="/api/missions/:signalId",status="200"';
    expect(lines[0]).toBe(
      "# HELP sortie_http_request_duration_seconds HTTP requests by method, route pattern (never the raw URL) and status",
    );
    expect(lines[1]).toBe("# TYPE sortie_http_request_duration_seconds histogram");
    expect(value(`sortie_http_request_duration_seconds_bucket{le="0.001",${ok}}`)).toBe(1);
    expect(value(`sortie_http_request_duration_seconds_bucket{le="0.005",${ok}}`)).toBe(2);
    expect(value(`sortie_http_request_duration_seconds_bucket{le="30",${ok}}`)).toBe(2);
    expect(value(`sortie_http_request_duration_seconds_bucket{le="+Inf",${ok}}`)).toBe(3);
    expect(value(`sortie_http_request_duration_seconds_sum{${ok}}`)).toBeCloseTo(42.0034, 6);
    expect(value(`sortie_http_request_duration_seconds_count{${ok}}`)).toBe(3);
    expect(
      value('sortie_http_request_duration_seconds_count{method="GET",route="/api/missions/:signalId",status="429"}'),
    ).toBe(1);
    expect(value('sortie_http_request_duration_seconds_count{method="POST",route="unmatched",status="404"}')).toBe(1);
    // A bound is inclusive (le): 0.001 s counts in the 0.001 bucket.
    expect(
      value(
        'sortie_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/odd/\\"quoted\\"\\\\path",status="200"}',
      ),
    ).toBe(1);
  });
});
