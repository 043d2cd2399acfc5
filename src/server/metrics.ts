/**
 * @module Prometheus metrics in the text exposition format (version 0.0.4): request counts and
 * latency histograms by route, plus gauges that are read when /metrics is scraped.
 */

/** Upper bounds of the latency histogram buckets, in seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

interface Histogram {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

/** One gauge sample produced at scrape time. */
export interface GaugeSample {
  name: string;
  help: string;
  samples: { labels?: Labels; value: number }[];
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`;
}

export class HttpMetrics {
  private readonly requests = new Map<string, { labels: Labels; value: number }>();
  private readonly latencies = new Map<string, Histogram>();

  /** Records one finished request. `route` is the matched route pattern, never the raw path. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const counterLabels = { method, route, status: String(status) };
    const counterKey = JSON.stringify(counterLabels);
    const counter = this.requests.get(counterKey) ?? { labels: counterLabels, value: 0 };
    counter.value += 1;
    this.requests.set(counterKey, counter);

    const histogramLabels = { method, route };
    const histogramKey = JSON.stringify(histogramLabels);
    const histogram = this.latencies.get(histogramKey) ?? {
      labels: histogramLabels,
      counts: LATENCY_BUCKETS.map(() => 0),
      sum: 0,
      count: 0,
    };
    LATENCY_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) histogram.counts[index] += 1;
    });
    histogram.sum += seconds;
    histogram.count += 1;
    this.latencies.set(histogramKey, histogram);
  }

  /** Renders every metric, with `gauges` read by the caller at scrape time. */
  render(gauges: GaugeSample[]): string {
    const lines: string[] = [
      '# HELP nunchi_http_requests_total HTTP requests answered, by method, route and status.',
      '# TYPE nunchi_http_requests_total counter',
    ];
    for (const { labels, value } of this.requests.values()) {
      lines.push(`nunchi_http_requests_total${formatLabels(labels)} ${value}`);
    }
    lines.push(
      '# HELP nunchi_http_request_duration_seconds Time to answer an HTTP request, in seconds.',
      '# TYPE nunchi_http_request_duration_seconds histogram',
    );
    for (const histogram of this.latencies.values()) {
      LATENCY_BUCKETS.forEach((bound, index) => {
        const labels = formatLabels({ ...histogram.labels, le: String(bound) });
        lines.push(
          `nunchi_http_request_duration_seconds_bucket${labels} ${histogram.counts[index]}`,
        );
      });
      const all = formatLabels({ ...histogram.labels, le: '+Inf' });
      lines.push(`nunchi_http_request_duration_seconds_bucket${all} ${histogram.count}`);
      const base = formatLabels(histogram.labels);
      lines.push(`nunchi_http_request_duration_seconds_sum${base} ${histogram.sum}`);
      lines.push(`nunchi_http_request_duration_seconds_count${base} ${histogram.count}`);
    }
    for (const gauge of gauges) {
      lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
      for (const sample of gauge.samples) {
        lines.push(`${gauge.name}${formatLabels(sample.labels)} ${sample.value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
