"""Baseline: SDV's GaussianCopulaSynthesizer on the same sample (run in the bench-only `.venv-sdv`).

Standalone on purpose (imports only pandas and SDV): bench/learn.py runs it as a subprocess under
`.venv-sdv/bin/python` (`make bench-sdv` creates that venv). Default settings; the data's metadata detected by SDV.
Prints one JSON line: fit and sample seconds.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", required=True, help="the sample, a Parquet file")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", required=True, help="where the generated rows go (Parquet)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import pandas as pd
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer

    df = pd.read_parquet(args.sample)
    metadata = Metadata.detect_from_dataframes({"sample": df})
    started = time.perf_counter()
    synthesizer = GaussianCopulaSynthesizer(metadata)
    synthesizer.fit({"sample": df})  # SDV 2 takes {table name: DataFrame}
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    out = synthesizer.sample(num_rows=args.rows)
    sample_s = time.perf_counter() - started
    if isinstance(out, dict):
        out = next(iter(out.values()))
    out.to_parquet(args.out, index=False)
    print(json.dumps({"fit_s": fit_s, "sample_s": sample_s, "rows": len(out)}))


if __name__ == "__main__":
    main()
