// The fidelity report of a learned experiment (`dw-sim experiment learn`): how close the generated data comes to
// the sample, per column and per kept pair. Shows nothing for experiments not learned from a sample.
import { getFidelity, type FidelityTable } from "../api/client";
import { formatNumber, formatPercent } from "../format";
import { useAsync } from "./useAsync";

const METRIC: Record<string, string> = { ks: "KS", tvd: "TV distance", length_tvd: "TV distance (lengths)" };

export function FidelityView({ name, version }: { name: string; version?: unknown }) {
  const state = useAsync(() => getFidelity(name), [name, version]);
  const report = state.data;
  if (!report) return null;
  return (
    <section aria-label="Fidelity to the sample" className="stack">
      <h3>Fidelity to the sample</h3>
      <p className="small muted">Learned from {report.sources.join(", ")}</p>
      {report.tables.map((t) => (
        <FidelityTableView key={t.table} table={t} />
      ))}
    </section>
  );
}

function FidelityTableView({ table: t }: { table: FidelityTable }) {
  return (
    <div className="card">
      <h4 className="mono">
        {t.table}: {formatNumber(t.generated_rows)} generated rows vs {formatNumber(t.sample_rows)} sampled
      </h4>
      <table className="grid" aria-label={`Fidelity of ${t.table}`}>
        <thead>
          <tr>
            <th>column</th>
            <th>metric</th>
            <th>distance</th>
            <th>nulls (sample / generated)</th>
            <th>distinct (sample / generated)</th>
          </tr>
        </thead>
        <tbody>
          {t.columns.map((c) => (
            <tr key={c.column}>
              <td className="mono">{c.column}</td>
              <td>{c.missing ? "missing" : c.metric ? METRIC[c.metric] : "–"}</td>
              <td className="mono">{c.distance !== undefined ? c.distance.toFixed(4) : "–"}</td>
              <td>{c.null_rate ? `${formatPercent(c.null_rate.sample)} / ${formatPercent(c.null_rate.generated)}` : "–"}</td>
              <td>
                {c.distinct_ratio
                  ? `${formatPercent(c.distinct_ratio.sample)} / ${formatPercent(c.distinct_ratio.generated)}`
                  : "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {t.pairs.length > 0 && (
        <ul aria-label={`Rank correlations of ${t.table}`} className="small">
          {t.pairs.map((p) => (
            <li key={p.columns.join("~")} className="mono">
              {p.columns[0]} ~ {p.columns[1]}: sample {p.sample?.toFixed(3) ?? "–"}, generated{" "}
              {p.generated?.toFixed(3) ?? "–"}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
