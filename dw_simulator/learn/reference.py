"""The fidelity report: generated data compared with the sample it was learned from.

At learn time each sampled table is summarised into a *reference* (kept beside the experiment, never the sample
itself): per column its NULL share, distinct share, and a sketch of its distribution (numbers and dates: 1000
quantiles; kept categories: their shares, the rest as one "other" share; strings without kept values: the shares
of their lengths, lengths shared by fewer than `min_count` values as "other"), and the rank correlation of each pair
the copula kept. `compare(reference, table)` measures generated rows against it:

* numbers and dates: the Kolmogorov-Smirnov statistic against the sketch (to within 1/1000);
* categories and booleans: the total-variation distance between the shares (kept values and "other");
* other strings: the total-variation distance between the length shares;
* NULL share and distinct share side by side (distinct share over as many generated rows as were sampled);
* each kept pair's Spearman correlation, sample and generated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dw_simulator.learn.columns import ColumnFit

if TYPE_CHECKING:
    from dw_simulator.learn.links import TableFit

SKETCH = 1000
F64 = npt.NDArray[np.float64]
OTHER = "(other)"


def encode(arr: pa.Array | pa.ChunkedArray, kind: str, values: list[Any] | None = None) -> F64:
    """A column as numbers in the copula's order (NaN for NULL): numbers, days, 0/1, or kept-value positions."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    nulls = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
    out = np.full(len(arr), np.nan)
    present = arr.drop_null()
    if kind == "categorical":
        kept = pa.array([str(v) for v in values or []], type=pa.string())
        positions = pc.index_in(present.cast(pa.string()), value_set=kept).fill_null(len(kept))
        out[~nulls] = positions.to_numpy(zero_copy_only=False)
    elif pa.types.is_date(arr.type):
        out[~nulls] = present.cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
    elif pa.types.is_timestamp(arr.type):
        micros = present.cast(pa.timestamp("us", tz=arr.type.tz)).cast(pa.int64()).to_numpy(zero_copy_only=False)
        out[~nulls] = micros / 86_400e6
    elif pa.types.is_boolean(arr.type) or pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or \
            pa.types.is_decimal(arr.type):  # fmt: skip
        out[~nulls] = present.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)
    else:
        raise ValueError(f"cannot encode a {arr.type} column as numbers")
    return out


def spearman(a: F64, b: F64) -> float | None:
    both = ~(np.isnan(a) | np.isnan(b))
    if both.sum() < 3:
        return None
    ra, rb = _ranks(a[both]), _ranks(b[both])
    sa, sb = ra.std(), rb.std()
    if sa == 0 or sb == 0:
        return None
    return float(((ra - ra.mean()) * (rb - rb.mean())).mean() / (sa * sb))


def _ranks(x: F64) -> F64:
    """Average ranks (ties share the mean of their positions)."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2.0
    out: F64 = mean_rank[inverse]
    return out


def _shares(values: pa.Array, keep: list[str] | None, min_count: int) -> dict[str, float]:
    """Shares of each value (as text) among `values` (no NULLs): of `keep`, or of the values seen `min_count` times;
    the rest as one "other" share."""
    n = len(values)
    if n == 0:
        return {}
    tally = pc.value_counts(values.cast(pa.string()))
    counts = dict(zip(tally.field("values").to_pylist(), tally.field("counts").to_pylist(), strict=True))
    kept = set(keep) if keep is not None else {k for k, c in counts.items() if c >= min_count}
    out = {k: counts.get(k, 0) / n for k in sorted(kept)}
    rest = n - sum(counts.get(k, 0) for k in kept)
    if rest:
        out[OTHER] = rest / n
    return out


def column_reference(fit: ColumnFit, arr: pa.ChunkedArray, min_count: int) -> dict[str, Any]:
    ref: dict[str, Any] = {"kind": fit.kind, "null_rate": round(fit.null_rate, 6),
                           "distinct_ratio": round(fit.distinct_ratio, 6)}  # fmt: skip
    if fit.kind in ("numeric", "temporal"):
        x = encode(arr, fit.kind)
        x = x[~np.isnan(x)]
        if x.size:
            ref["sketch"] = [float(q) for q in np.quantile(x, (np.arange(SKETCH) + 0.5) / SKETCH)]
    elif fit.kind in ("categorical", "boolean"):
        ref["values"] = pa.array(fit.values).cast(pa.string()).to_pylist()  # as `_shares` spells them
        ref["shares"] = _shares(arr.combine_chunks().drop_null(), ref["values"], min_count)
    elif fit.kind == "text":
        ref["lengths"] = _shares(pc.utf8_length(arr.combine_chunks().drop_null()), None, min_count)
    return ref


def table_reference(table: TableFit, pairs: list[dict[str, Any]], min_count: int) -> dict[str, Any]:
    columns = {c.name: column_reference(c, table.data.column(c.name), min_count) for c in table.columns}
    kept = []
    for pair in pairs:
        a, b = pair["columns"]
        ea = encode(table.data.column(a), columns[a]["kind"], columns[a].get("values"))
        eb = encode(table.data.column(b), columns[b]["kind"], columns[b].get("values"))
        kept.append({"columns": [a, b], "sample": _round(spearman(ea, eb))})
    return {"rows": table.data.num_rows, "columns": columns, "pairs": kept}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def ks_to_sketch(sketch: list[float], x: F64) -> float:
    """max |F_generated - F_sample| at the sketch's quantiles (ties in the generated data count either way)."""
    if not x.size:
        return 1.0
    ordered = np.sort(x)
    q = np.asarray(sketch, dtype=np.float64)
    p = (np.arange(q.shape[0]) + 0.5) / q.shape[0]
    below = np.searchsorted(ordered, q, side="left") / ordered.shape[0]
    at_most = np.searchsorted(ordered, q, side="right") / ordered.shape[0]
    gap = np.where(p < below, below - p, np.where(p > at_most, p - at_most, 0.0))
    return float(gap.max())


def tvd(a: dict[str, float], b: dict[str, float]) -> float:
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys)


def compare_column(ref: dict[str, Any], arr: pa.ChunkedArray, sample_rows: int, min_count: int) -> dict[str, Any]:
    arr_c = arr.combine_chunks()
    n = len(arr_c)
    present = arr_c.drop_null()
    head = arr_c.slice(0, max(sample_rows, 1)).drop_null()
    out: dict[str, Any] = {
        "kind": ref["kind"],
        "null_rate": {"sample": ref["null_rate"], "generated": round(arr_c.null_count / n, 6) if n else None},
        "distinct_ratio": {
            "sample": ref["distinct_ratio"],
            "generated": round(len(pc.unique(head)) / len(head), 6) if len(head) else None,
        },
    }
    if "sketch" in ref:
        x = encode(arr_c, ref["kind"])
        out.update(metric="ks", distance=round(ks_to_sketch(ref["sketch"], x[~np.isnan(x)]), 6))
    elif "shares" in ref:
        generated = _shares(present, ref["values"], min_count)
        out.update(metric="tvd", distance=round(tvd(ref["shares"], generated), 6))
    elif "lengths" in ref:
        generated = _shares(pc.utf8_length(present.cast(pa.string())), [k for k in ref["lengths"] if k != OTHER],
                            min_count)  # fmt: skip
        out.update(metric="length_tvd", distance=round(tvd(ref["lengths"], generated), 6))
    return out


def compare(reference: dict[str, Any], table: pa.Table, name: str, min_count: int = 5) -> dict[str, Any]:
    """The fidelity of one generated table against its reference."""
    names = {c.lower(): c for c in table.column_names}
    columns = []
    for column, ref in reference["columns"].items():
        actual = names.get(column.lower())
        if actual is None:
            columns.append({"column": column, "kind": ref["kind"], "missing": True})
            continue
        columns.append({"column": column, **compare_column(ref, table.column(actual), reference["rows"], min_count)})
    pairs = []
    for pair in reference.get("pairs", []):
        a, b = pair["columns"]
        if a.lower() not in names or b.lower() not in names:
            continue
        ea = encode(table.column(names[a.lower()]), reference["columns"][a]["kind"],
                    reference["columns"][a].get("values"))  # fmt: skip
        eb = encode(table.column(names[b.lower()]), reference["columns"][b]["kind"],
                    reference["columns"][b].get("values"))  # fmt: skip
        generated = _round(spearman(ea, eb))
        diff = None if generated is None or pair["sample"] is None else round(abs(generated - pair["sample"]), 4)
        pairs.append({"columns": [a, b], "sample": pair["sample"], "generated": generated, "difference": diff})
    distances = [c["distance"] for c in columns if "distance" in c]
    return {
        "table": name,
        "sample_rows": reference["rows"],
        "generated_rows": table.num_rows,
        "columns": columns,
        "pairs": pairs,
        "max_distance": max(distances) if distances else None,
        "mean_distance": round(float(np.mean(distances)), 6) if distances else None,
    }
