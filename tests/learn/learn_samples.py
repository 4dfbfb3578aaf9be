"""Samples the learning tests fit: skewed categories, correlated columns, rare values, personal data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CATEGORIES = ["books", "music", "games", "garden", "toys"]
SHARES = [0.5, 0.25, 0.15, 0.07, 0.03]
RARE = ["zz-rare-alpha", "zz-rare-beta", "zz-rare-gamma"]
FIRST = ["Amelia", "Bartholomew", "Cordelia", "Desmond", "Evangeline", "Fitzgerald", "Gwendolyn", "Horatio"]
LAST = ["Abernathy", "Blackwood", "Castellano", "Delacroix", "Ellsworth", "Fairweather", "Greenhalgh"]


def orders_table(n: int = 20_000, seed: int = 3) -> pa.Table:
    """amount and quantity rank-correlated (~0.75), a skewed category with three values seen once or twice,
    e-mails and full names that are (nearly) all distinct, dates, a flag, and NULLs in one column."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], n)
    amount = np.exp(z[:, 0] * 0.7 + 3).round(2)
    qty = np.clip(np.round(np.exp(z[:, 1] * 0.5 + 1)), 1, None).astype(np.int64)
    category = np.array(CATEGORIES, dtype=object)[np.searchsorted(np.cumsum(SHARES), rng.random(n))]
    category[:4] = [RARE[0], RARE[1], RARE[1], RARE[2]]
    emails = [f"{FIRST[i % 8].lower()}.{rng.integers(10**9)}@mail{rng.integers(10**6)}.example.org" for i in range(n)]
    names = [f"{FIRST[rng.integers(8)]} {LAST[rng.integers(7)]}-{rng.integers(10**8)}" for _ in range(n)]
    days = (np.datetime64("2023-01-01") + rng.integers(0, 700, n)).astype("datetime64[D]")
    discount = pa.array([None if rng.random() < 0.2 else float(rng.integers(0, 30)) for _ in range(n)])
    return pa.table(
        {
            "order_id": np.arange(1, n + 1),
            "customer_id": rng.integers(1, 501, n),
            "amount": amount,
            "qty": qty,
            "category": category.astype(str),
            "email": emails,
            "full_name": names,
            "ordered_on": days,
            "gift": rng.random(n) < 0.3,
            "discount": discount,
        }
    )


def customers_table(n: int = 500) -> pa.Table:
    rng = np.random.default_rng(5)
    return pa.table({"customer_id": np.arange(1, n + 1), "segment": rng.choice(["retail", "pro"], n, p=[0.8, 0.2])})


def write_sample(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(orders_table(), folder / "orders.parquet")
    pq.write_table(customers_table(), folder / "customers.parquet")
    return folder
