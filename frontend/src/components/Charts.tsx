// Hand-drawn SVG charts for column profiles: a histogram of numeric buckets and a top-values bar chart.
import type { HistogramBucket, TopValue } from "../api/client";
import { formatNumber, formatValue } from "../format";

export function isBuckets(items: (HistogramBucket | TopValue)[]): items is HistogramBucket[] {
  return items.length > 0 && items.every((b) => "low" in b && "high" in b);
}

export function Histogram({ buckets, label }: { buckets: HistogramBucket[]; label: string }) {
  const W = 280;
  const H = 90;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const bw = W / Math.max(1, buckets.length);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H + 16}`}
        className="histogram"
        role="img"
        aria-label={`Histogram of ${label}: ${buckets.length} buckets from ${formatValue(buckets[0]?.low)} to ${formatValue(buckets[buckets.length - 1]?.high)}`}
        data-testid="histogram"
      >
        <line x1={0} y1={H + 0.5} x2={W} y2={H + 0.5} className="axis" />
        {buckets.map((b, i) => {
          const h = (b.count / max) * (H - 4);
          return (
            <rect key={i} x={i * bw + 1} y={H - h} width={Math.max(1, bw - 2)} height={h} className="bar">
              <title>{`${formatValue(b.low)} – ${formatValue(b.high)}: ${formatNumber(b.count)}`}</title>
            </rect>
          );
        })}
        <text x={0} y={H + 13} className="axis-label">
          {formatValue(buckets[0]?.low)}
        </text>
        <text x={W} y={H + 13} className="axis-label" textAnchor="end">
          {formatValue(buckets[buckets.length - 1]?.high)}
        </text>
      </svg>
    </figure>
  );
}

export function TopValues({ values, label, rows }: { values: TopValue[]; label: string; rows?: number }) {
  const max = Math.max(1, ...values.map((v) => v.count));
  return (
    <figure className="chart">
      <ul className="top-values" aria-label={`Most frequent values of ${label}`} data-testid="top-values">
        {values.slice(0, 8).map((v, i) => (
          <li key={i}>
            <span className="tv-value" title={formatValue(v.value)}>
              {formatValue(v.value)}
            </span>
            <span className="tv-bar-track" aria-hidden="true">
              <span className="tv-bar" style={{ width: `${(v.count / max) * 100}%` }} />
            </span>
            <span className="tv-count">
              {formatNumber(v.count)}
              {rows ? <span className="muted"> ({((v.count / rows) * 100).toFixed(1)}%)</span> : null}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      aria-valuetext={`${formatNumber(done)} of ${formatNumber(total)} rows`}
    >
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
