"""Column constraints hold on the generated data: uniqueness, NULLs, bounds, lengths, precision, dates, JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from generator_helpers import col, experiment, table

from dw_simulator.errors import SchemaValidationError
from dw_simulator.generator import generate_experiment

N = 5000


def test_unique_columns_have_no_duplicates_of_any_type(generate) -> None:
    uniques = [
        col("seq", is_unique=True),
        col("perm", is_unique=True, min_value=-50, max_value=N * 2),
        col("small", "SMALLINT", is_unique=True, min_value=0, max_value=N - 1),
        col("big", "BIGINT", is_unique=True, min_value=-(2**63), max_value=2**63 - 1),
        col("dec", "DECIMAL(6,2)", is_unique=True, min_value=0, max_value=60),
        col("fl", "FLOAT", is_unique=True, min_value=0, max_value=1),
        col("day", "DATE", is_unique=True),
        col("ts", "TIMESTAMPTZ", is_unique=True, date_start="2024-01-01", date_end="2024-01-01"),
        col("tm", "TIME", is_unique=True),
        col("email", "VARCHAR(40)", is_unique=True, faker_rule="internet.email"),
        col("username", "VARCHAR", is_unique=True, faker_rule="internet.user_name"),
        col("label", "VARCHAR(20)", is_unique=True),
        col("code", "CHAR(3)", is_unique=True),
        col("uuid", "VARCHAR", is_unique=True, faker_rule="uuid4"),
        col("bin", "BINARY(4)", is_unique=True),
        col("doc", "OBJECT", is_unique=True),
        col("arr", "ARRAY", is_unique=True),
        col("choice", "VARCHAR", is_unique=True, required=False, null_rate=0.3,
            distribution={"type": "categorical", "values": [f"v{i}" for i in range(N)]}),
    ]  # fmt: skip
    g = generate(experiment(table("t", N, *uniques)), batch_size=1234)
    for c in uniques:
        name = c["name"]
        non_null, distinct = g.q(f"select count({name}), count(distinct {name}) from t")[0]
        assert non_null == distinct, name
        assert non_null == (N if name != "choice" else pytest.approx(N * 0.7, rel=0.05)), name
    assert g.q("select min(seq), max(seq) from t") == [(1, N)]
    assert g.q("select min(perm) >= -50, max(perm) <= 10000, min(small), max(small) from t") == [(True, True, 0, N - 1)]
    assert g.one("select max(length(email)) from t") <= 40
    assert g.one("select count(*) from t where email not similar to '[a-z.]+[.][0-9]+@[a-z.]+'") == 0
    assert g.one("select max(length(label)) from t") <= 20
    assert g.one("select count(*) from t where length(code) <> 3 or not regexp_full_match(code, '[0-9A-Z]+')") == 0
    assert g.one("select count(*) from t where not regexp_full_match(uuid, '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                 "[89ab][0-9a-f]{3}-[0-9a-f]{12}')") == 0  # fmt: skip
    assert g.one("select count(*) from t where octet_length(bin) <> 4") == 0
    assert g.q("select min(ts)::date, max(ts)::date from t") == [(dt.date(2024, 1, 1), dt.date(2024, 1, 1))]
    assert g.one("select max(dec) from t") <= Decimal("60.00")


def test_unique_sequence_and_permutation_defaults(generate) -> None:
    g = generate(experiment(table("t", 1000, col("id", is_unique=True),
                                  col("p", is_unique=True, min_value=1, max_value=1000))))  # fmt: skip
    assert g.q("select list(id) from t")[0][0] == list(range(1, 1001))
    permuted = g.q("select list(p) from t")[0][0]
    assert sorted(permuted) == list(range(1, 1001)) and permuted != list(range(1, 1001))


def test_unique_capacity_of_short_strings_and_dates(tmp_path) -> None:
    schema = experiment(table("t", 10, col("c", "CHAR(1)", is_unique=True)))
    with pytest.raises(SchemaValidationError, match="36"):
        generate_experiment(schema, tmp_path / "o", seed=1, row_overrides={"t": 37})
    schema = experiment(table("t", 10, col("d", "DATE", is_unique=True, date_start="2024-01-01",
                                           date_end="2024-01-31")))  # fmt: skip
    with pytest.raises(SchemaValidationError, match="31"):
        generate_experiment(schema, tmp_path / "o", seed=1, row_overrides={"t": 32})
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("rate", [0.1, 0.5])
def test_nulls_only_where_allowed_at_the_requested_rate(generate, rate: float) -> None:
    n = 20_000
    g = generate(experiment(table(
        "t", n,
        col("req", required=True),
        col("plain", "VARCHAR"),
        col("maybe", "FLOAT", null_rate=rate),
        col("maybe_unique", "BIGINT", is_unique=True, null_rate=rate),
        col("maybe_day", "DATE", null_rate=rate),
        col("maybe_doc", "JSON", null_rate=rate),
    )))  # fmt: skip
    counts = g.q("select count(req), count(plain), count(maybe), count(maybe_unique), count(distinct maybe_unique), "
                 "count(maybe_day), count(maybe_doc) from t")[0]  # fmt: skip
    assert counts[:2] == (n, n)
    tolerance = 4 * (rate * (1 - rate) / n) ** 0.5 * n
    for got in counts[2:]:
        assert abs(got - n * (1 - rate)) < tolerance
    assert counts[3] == counts[4]


def test_numeric_bounds_and_defaults(generate) -> None:
    g = generate(experiment(table(
        "t", N,
        col("i"),
        col("q", min_value=1, max_value=10),
        col("lo_only", "SMALLINT", min_value=32000),
        col("hi_only", max_value=-5),
        col("f"),
        col("f_bounded", "FLOAT", min_value=-1.5, max_value=1.5),
        col("d", "DECIMAL(5,3)"),
        col("d_bounded", "DECIMAL(8,2)", min_value=10, max_value=20),
        col("normal_clipped", distribution={"type": "normal", "mean": 0, "stddev": 100}, min_value=-10,
            max_value=10),
    )))  # fmt: skip
    row = g.q("""select min(i), max(i), min(q), max(q), count(distinct q), min(lo_only), max(lo_only), max(hi_only),
                 min(hi_only), min(f), max(f), min(f_bounded), max(f_bounded), min(d), max(d), min(d_bounded),
                 max(d_bounded), min(normal_clipped), max(normal_clipped) from t""")[0]
    assert row[0] >= 0 and row[1] <= 1000
    assert (row[2], row[3], row[4]) == (1, 10, 10)
    assert row[5] >= 32000 and row[6] <= 32767
    assert row[7] <= -5 and row[8] >= -1005
    assert row[9] >= 0 and row[10] <= 1000
    assert row[11] >= -1.5 and row[12] <= 1.5
    assert Decimal(0) <= row[13] and row[14] <= Decimal("99.999")
    assert Decimal(10) <= row[15] and row[16] <= Decimal(20)
    assert (row[17], row[18]) == (-10, 10)
    assert g.one("select count(*) from t where f * 100 <> round(f * 100)") == 0  # amounts in cents


def test_decimal_precision_and_scale(generate) -> None:
    g = generate(experiment(table(
        "t", N,
        col("amount", "DECIMAL(10,2)", distribution={"type": "exponential", "scale": 1e9}),
        col("tiny", "DECIMAL(3,3)", distribution={"type": "uniform", "low": -5, "high": 5}),
    )))  # fmt: skip
    assert g.q("select typeof(amount), typeof(tiny) from t limit 1") == [("DECIMAL(10,2)", "DECIMAL(3,3)")]
    hi, lo = g.q("select max(amount), min(tiny) from t")[0]
    assert hi == Decimal("99999999.99")  # clipped to what DECIMAL(10,2) can hold
    assert lo == Decimal("-0.999")
    frac = g.one("select count(*) from t where amount * 100 <> round(amount * 100)")
    assert frac == 0


def test_strings_respect_varchar_length_and_look_readable(generate) -> None:
    g = generate(experiment(table(
        "t", N,
        col("product_name", "VARCHAR(12)"),
        col("words", "VARCHAR"),
        col("city", "VARCHAR(6)"),
        col("first_name", "VARCHAR"),
        col("email", "VARCHAR"),
        col("flag", "CHAR(1)"),
        col("state", "CHAR(2)", faker_rule="address.state_abbr"),
        col("note", "VARCHAR(1)", faker_rule="lorem.sentence"),
    )))  # fmt: skip
    lengths = g.q("select max(length(product_name)), max(length(city)), max(length(flag)), min(length(flag)), "
                  "max(length(state)), max(length(note)) from t")[0]  # fmt: skip
    assert lengths == (12, 6, 1, 1, 2, 1)
    assert g.one("select count(*) from t where email not like '%@%.%'") == 0
    assert g.one("select count(distinct first_name) from t") > 100
    assert g.one("select count(*) from t where not regexp_full_match(words, '[a-z]+( [a-z]+){0,2}')") == 0
    assert g.one("select count(distinct flag) from t") > 20


def test_dates_and_timestamps_stay_in_range(generate) -> None:
    g = generate(experiment(table(
        "t", N,
        col("d", "DATE"),
        col("d2", "DATE", date_start="2020-02-01", date_end="2020-02-29"),
        col("ts", "TIMESTAMP", date_start="2024-12-31", date_end="2024-12-31"),
        col("tz", "TIMESTAMPTZ", date_end="2001-01-01"),
        col("t", "TIME"),
        col("skew", "DATE", date_start="2024-01-01", date_end="2024-12-31",
            distribution={"type": "exponential", "scale": 10}),
    )))  # fmt: skip
    row = g.q("select min(d), max(d), min(d2), max(d2), min(ts), max(ts), max(tz), min(skew), max(skew) from t")[0]
    assert (row[0], row[1]) == (dt.date(2023, 1, 1), dt.date(2024, 12, 31))  # fixed reference window
    assert (row[2], row[3]) == (dt.date(2020, 2, 1), dt.date(2020, 2, 29))
    assert row[4] >= dt.datetime(2024, 12, 31) and row[5] <= dt.datetime(2024, 12, 31, 23, 59, 59)
    assert row[6] <= dt.datetime(2001, 1, 1, 23, 59, 59, tzinfo=dt.UTC)
    assert row[7] == dt.date(2024, 1, 1)
    mean_offset = g.one("select avg(skew - date '2024-01-01') from t")
    assert 9 < mean_offset < 11  # exponential(10 days), floored to whole days: mean about 9.5
    assert g.one("select count(distinct t) from t") > N * 0.9


def test_json_columns_hold_small_valid_documents(generate) -> None:
    g = generate(experiment(table("t", 500, col("o", "OBJECT"), col("a", "ARRAY"), col("v", "VARIANT"),
                                  col("s", "SUPER"), col("j", "JSON"))))  # fmt: skip
    for o, a, v, s, j in g.q("select * from t"):
        for doc in (o, v, s, j):
            parsed = json.loads(doc)
            assert set(parsed) == {"id", "label", "score", "active"}
        array = json.loads(a)
        assert isinstance(array, list) and 1 <= len(array) <= 4
    assert g.one("select count(distinct a) from t") > 50


def test_booleans_and_categoricals(generate) -> None:
    g = generate(experiment(table(
        "t", 20_000,
        col("b", "BOOLEAN"),
        col("tier", "VARCHAR", distribution={"type": "categorical", "values": ["gold", "silver", "bronze"],
                                             "weights": [1, 2, 7]}),
        col("n", distribution={"type": "categorical", "values": [5, 50, 500]}),
        col("day", "DATE", distribution={"type": "categorical", "values": ["2024-01-01", "2024-06-30"]}),
    )))  # fmt: skip
    assert 0.47 < g.one("select avg(b::int) from t") < 0.53
    shares = dict(g.q("select tier, count(*) / 20000 from t group by tier"))
    assert shares == pytest.approx({"gold": 0.1, "silver": 0.2, "bronze": 0.7}, abs=0.015)
    assert {r[0] for r in g.q("select distinct n from t")} == {5, 50, 500}
    assert {r[0] for r in g.q("select distinct day from t")} == {dt.date(2024, 1, 1), dt.date(2024, 6, 30)}


def test_faker_rules_on_non_string_columns_are_typed_and_clipped(generate) -> None:
    g = generate(experiment(table(
        "t", 2000,
        col("n", faker_rule="random_int", min_value=10, max_value=5000),
        col("born", "DATE", faker_rule="date_of_birth", date_start="1950-01-01"),
        col("price", "DECIMAL(6,2)", faker_rule="pydecimal", min_value=0, max_value=100),
        col("ok", "BOOLEAN", faker_rule="boolean"),
    )))  # fmt: skip
    row = g.q("select min(n), max(n), min(born), min(price), max(price), count(distinct ok) from t")[0]
    assert row[0] >= 10 and row[1] <= 5000
    assert row[2] >= dt.date(1950, 1, 1)
    assert row[3] >= 0 and row[4] <= 100
    assert row[5] == 2


def test_bounds_without_any_value_are_rejected(tmp_path) -> None:
    schema = experiment(table("t", 5, col("i", min_value=1.2, max_value=1.8)))
    with pytest.raises(SchemaValidationError, match="no whole number"):
        generate_experiment(schema, tmp_path / "o", seed=1)
    schema = experiment(table("t", 5, col("d", "DECIMAL(38,10)", min_value=10**20)))
    with pytest.raises(SchemaValidationError, match="10\\^18"):
        generate_experiment(schema, tmp_path / "o", seed=1)
