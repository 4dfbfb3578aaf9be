"""Generated values follow their distribution's parameters (moments within tolerance), clipped to bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from generator_helpers import col, experiment, table
from hypothesis import given, settings
from hypothesis import strategies as st

from dw_simulator.generator.keys import allocate_sizes
from dw_simulator.generator.random import Bijection, gamma, hash_rows, standard_normal, stream_key, uniform

N = 60_000


def moments(g, column: str) -> tuple[float, float]:
    mean, var = g.q(f"select avg({column}), var_pop({column}) from t")[0]
    return float(mean), float(var)


CASES = [
    # (column, expected mean, expected variance)
    (col("normal", "FLOAT", distribution={"type": "normal", "mean": 150, "stddev": 50}), 150, 2500),
    (col("gauss_int", distribution={"type": "gaussian", "parameters": {"mean": -20, "stddev": 4}}), -20, 16 + 1 / 12),
    (col("expo", "FLOAT", distribution={"type": "exponential", "scale": 3}), 3, 9),
    (col("expo_rate", "FLOAT", distribution={"type": "exponential", "rate": 2, "offset": 1}), 1.5, 0.25),
    (col("beta", "FLOAT", distribution={"type": "beta", "alpha": 2, "beta": 5}), 2 / 7, 10 / (49 * 8)),
    (col("beta_scaled", "FLOAT", min_value=10, max_value=20,
         distribution={"type": "beta", "alpha": 0.5, "beta": 0.5}), 15, 12.5),
    (col("unif", "FLOAT", distribution={"type": "uniform", "low": -2, "high": 4}), 1, 3),
    (col("unif_int", min_value=1, max_value=6, distribution={"type": "uniform"}), 3.5, 35 / 12),
    (col("lognormal", "FLOAT", distribution={"type": "lognormal", "mean": 1, "sigma": 0.5}),
     math.exp(1.125), (math.exp(0.25) - 1) * math.exp(2.25)),
    (col("poisson", distribution={"type": "poisson", "lam": 4}), 4, 4),
    (col("poisson_big", "BIGINT", distribution={"type": "poisson", "lam": 2000}), 2000, 2000),
    (col("dec_normal", "DECIMAL(8,2)", distribution={"type": "normal", "mean": 10, "stddev": 2}), 10, 4),
]  # fmt: skip


def test_distribution_moments(generate) -> None:
    g = generate(experiment(table("t", N, *[c for c, _, _ in CASES])), batch_size=7000)
    for column, mean, var in CASES:
        got_mean, got_var = moments(g, column["name"])
        se_mean = math.sqrt(var / N)
        assert abs(got_mean - mean) < 5 * se_mean + 1e-9, (column["name"], got_mean, mean)
        assert got_var == pytest.approx(var, rel=0.06), (column["name"], got_var, var)


def test_zipf_frequencies_and_offsets(generate) -> None:
    g = generate(experiment(table(
        "t", N,
        col("z", distribution={"type": "zipf", "a": 2, "n": 10}),
        col("z_bounded", min_value=100, max_value=199, distribution={"type": "zipf", "a": 1.5}),
        col("z_long", "BIGINT", distribution={"type": "zipf", "a": 1.5, "n": 10**9}),
        col("word", "VARCHAR", distribution={"type": "zipf", "a": 3}),
    )))  # fmt: skip
    harmonic = sum(k**-2 for k in range(1, 11))
    freq = dict(g.q("select z, count(*) / " + str(N) + " from t group by z"))
    assert set(freq) == set(range(1, 11))
    for k in (1, 2, 3):
        assert freq[k] == pytest.approx(k**-2 / harmonic, abs=0.01)
    assert g.q("select min(z_bounded), max(z_bounded) <= 199 from t") == [(100, True)]
    top_bounded = g.one("select count(*) from t where z_bounded = 100") / N
    assert top_bounded == pytest.approx(1 / sum(k**-1.5 for k in range(1, 101)), abs=0.01)
    top, biggest = g.q("select avg((z_long = 1)::int), max(z_long) from t")[0]
    assert top == pytest.approx(1 / 2.6124, abs=0.01)  # 1 / zeta(1.5)
    assert 10**6 < biggest <= 10**9  # the tail beyond the exact table is reached
    word_share = g.one("select max(c) from (select count(*) / " + str(N) + " as c from t group by word)")
    assert word_share == pytest.approx(1 / 1.2020, abs=0.02)  # 1 / zeta(3)


def test_poisson_zero_and_clipping(generate) -> None:
    g = generate(experiment(table(
        "t", 5000,
        col("zero", distribution={"type": "poisson", "lam": 0}),
        col("clipped", "SMALLINT", min_value=0, max_value=100, distribution={"type": "normal", "mean": 90,
                                                                                "stddev": 30}),
        col("expo_capped", "FLOAT", max_value=1.0, distribution={"type": "exponential", "scale": 1}),
    )))  # fmt: skip
    assert g.q("select min(zero), max(zero) from t") == [(0, 0)]
    assert g.q("select min(clipped), max(clipped) from t") == [(0, 100)]
    assert g.one("select count(*) from t where clipped = 100") > 1000
    assert g.one("select max(expo_capped) from t") == 1.0


# -- the counter-based primitives -----------------------------------------------------------------------------


def test_stream_keys_are_stable_and_case_insensitive() -> None:
    assert stream_key(1, "Orders", "ID") == stream_key(1, "orders", "id")
    assert stream_key(1, "orders", "id") != stream_key(2, "orders", "id")
    assert stream_key(1, "orders", "id") == 0x8B0B_DAB7_4246_B510  # BLAKE2b: the same in every process and run


def test_hash_rows_depends_only_on_key_and_row() -> None:
    rows = np.arange(1000, dtype=np.uint64)
    whole = hash_rows(99, rows)
    parts = np.concatenate([hash_rows(99, rows[i : i + 77]) for i in range(0, 1000, 77)])
    shuffled = np.random.default_rng(0).permutation(1000).astype(np.uint64)
    assert np.array_equal(whole, parts)
    assert np.array_equal(hash_rows(99, shuffled), whole[shuffled])
    assert len(np.unique(whole)) == 1000
    u = uniform(5, np.arange(200_000, dtype=np.uint64))
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.005


@pytest.mark.parametrize("size", [1, 2, 3, 7, 100, 4096, 65_537, 1_000_003])
def test_bijection_is_a_permutation(size: int) -> None:
    perm = Bijection(size, 1234)
    out = perm(np.arange(size, dtype=np.uint64))
    assert np.array_equal(np.sort(out), np.arange(size, dtype=np.uint64))
    if size > 100:
        assert not np.array_equal(out, np.arange(size, dtype=np.uint64))


def test_bijection_on_the_full_64_bit_range_is_injective() -> None:
    perm = Bijection(1 << 64, 7)
    sample = np.arange(0, 200_000, dtype=np.uint64) * np.uint64(92821)
    assert len(np.unique(perm(sample))) == sample.shape[0]


def test_normal_and_gamma_primitives() -> None:
    rows = np.arange(200_000, dtype=np.uint64)
    z = standard_normal(3, rows)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    for shape in (0.3, 1.0, 4.5):
        g = gamma(11, rows, shape)
        assert g.mean() == pytest.approx(shape, rel=0.02)
        assert g.var() == pytest.approx(shape, rel=0.05)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=5000), key=st.integers(min_value=0, max_value=2**64 - 1))
def test_bijection_permutes_any_domain(size: int, key: int) -> None:
    out = Bijection(size, key)(np.arange(size, dtype=np.uint64))
    assert np.array_equal(np.sort(out), np.arange(size, dtype=np.uint64))


@settings(max_examples=200, deadline=None)
@given(
    caps=st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=10**6)), min_size=1, max_size=4),
    need=st.integers(min_value=1, max_value=10**10),
)
def test_composite_sizes_cover_the_rows_within_caps(caps: list[int | None], need: int) -> None:
    sizes = allocate_sizes(caps, need)
    possible = all(c is not None for c in caps) and math.prod(c for c in caps if c is not None) < need
    if sizes is None:
        assert possible
        return
    assert math.prod(sizes) >= need
    assert all(c is None or s <= c for s, c in zip(sizes, caps, strict=True))
    assert math.prod(sizes) < 2**64
