/**
 * `sortie_http_request_duration_seconds`: how long requests took, by method, route pattern and
 * status, as a Prometheus histogram. Counted here in plain arrays per route rather than with
 * prom-client's Histogram, whose `observe` builds and hashes a label object on every call (about
 * a microsecond, ~3 % of a Mini App read under load): a request costs a map lookup and a short
 * bucket scan, and the text is written only when `/metrics` is scraped.
 */
const NAME = "sortie_http_request_duration_seconds";
const HELP = "HTTP requests by method, route pattern (never the raw URL) and status";
export const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Series {
  method: string;
  route: string;
  status: number;
  /** Requests per bucket (not cumulative); the last slot counts those above every bound. */
  counts: number[];
  sum: number;
}

/** The series of one route pattern (`unmatched` for requests no route took). */
export class RouteTimings {
  /** By method, then status. */
  private readonly byMethod = new Map<string, Map<number, Series>>();

  constructor(
    readonly route: string,
    private readonly all: Series[],
  ) {}

  record(method: string, status: number, seconds: number): void {
    let byStatus = this.byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.byMethod.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (series === undefined) {
      series = { method, route: this.route, status, counts: new Array(HTTP_BUCKETS.length + 1).fill(0), sum: 0 };
      byStatus.set(status, series);
      this.all.push(series);
    }
    let i = 0;
    while (i < HTTP_BUCKETS.length && seconds > HTTP_BUCKETS[i]!) i++;
    series.counts[i]! += 1;
    series.sum += seconds;
  }
}

/** Label values in the exposition format: backslash, double quote and newline escaped. */
const label = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class HttpTimings {
  private readonly all: Series[] = [];
  private readonly routes = new Map<string, RouteTimings>();
  readonly unmatched = this.forRoute("unmatched");

  /** The timings of one route pattern (made once per pattern, at route registration). */
  forRoute(route: string): RouteTimings {
    let timings = this.routes.get(route);
    if (timings === undefined) {
      timings = new RouteTimings(route, this.all);
      this.routes.set(route, timings);
    }
    return timings;
  }

  /** The histogram in Prometheus' text format (HELP, TYPE, then each series' buckets, sum, count). */
  exposition(): string {
    const lines = [`# HELP ${NAME} ${HELP}`, `# TYPE ${NAME} histogram`];
    for (const s of this.all) {
      const labels = `method="${label(s.method)}",route="${label(s.route)}",status="${s.status}"`;
      let cumulative = 0;
      HTTP_BUCKETS.forEach((bound, i) => {
        cumulative += s.counts[i]!;
        lines.push(`${NAME}_bucket{le="${bound}",${labels}} ${cumulative}`);
      });
      cumulative += s.counts[HTTP_BUCKETS.length]!;
      lines.push(`${NAME}_bucket{le="+Inf",${labels}} ${cumulative}`);
      lines.push(`${NAME}_sum{${labels}} ${s.sum}`);
      lines.push(`${NAME}_count{${labels}} ${cumulative}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
