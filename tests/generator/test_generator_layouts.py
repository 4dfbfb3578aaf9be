"""Cardinality layouts at scale: arithmetic block totals (planning never walks the parents), counts per parent that
keep the sampler's shape, and exact constraints across blocks."""

from __future__ import annotations

import numpy as np
import pytest
from generator_helpers import col, experiment, fk, table

from dw_simulator.errors import SchemaValidationError
from dw_simulator.generator.block_counts import rebalance
from dw_simulator.generator.count_stats import clip_counts, count_stats
from dw_simulator.generator.exact_layout import ExactLayout
from dw_simulator.generator.keys import PARENT_BLOCK, CardinalityLayout, LayoutForeignKeyGen
from dw_simulator.generator.plan import build_plan
from dw_simulator.generator.sampling import count_sampler
from dw_simulator.schema.table_schema import MAX_TARGET_ROWS

BLOCKS = 8


def layout_of(schema, table_name: str, column: str, seed: int = 11) -> CardinalityLayout:
    plan = build_plan(schema, seed)
    gen = next(c.gen for c in plan.table(table_name).columns if c.name == column)
    assert isinstance(gen, LayoutForeignKeyGen)
    return gen.layout


def card_schema(parents: int, card: dict, null_rate: float = 0.0, unique: bool = False):
    return experiment(
        table("p", parents, col("id", "BIGINT", is_unique=True, null_rate=null_rate)),
        table("c", 1, col("pid", "BIGINT", required=True, is_unique=unique,
                          foreign_key=fk("p", "id", cardinality=card))),
    )  # fmt: skip


CARDS = [
    {"type": "poisson", "lam": 3},
    {"type": "uniform", "low": 1, "high": 10},
    {"type": "categorical", "values": [0, 1, 5], "weights": [1, 1, 2]},
    {"type": "zipf", "a": 2.5, "n": 50},
    {"type": "zipf", "a": 1.5, "n": 1000},
    {"type": "poisson", "lam": 40},
]


@pytest.mark.parametrize("card", CARDS, ids=[f"{c['type']}{i}" for i, c in enumerate(CARDS)])
def test_block_counts_keep_the_samplers_distribution(card: dict) -> None:
    layout = layout_of(card_schema(BLOCKS * PARENT_BLOCK + 123, card), "c", "pid")
    got = np.concatenate([layout.counts(b) for b in range(BLOCKS)])
    drawn = clip_counts(layout.sampler.sample(layout.key, np.arange(got.size, dtype=np.uint64)), 1 << 40)
    totals = [layout.start(b + 1) - layout.start(b) for b in range(BLOCKS)]
    assert max(totals) - min(totals) <= 1  # full blocks hold (almost) the same arithmetic total ...
    for b in range(BLOCKS):  # ... exactly, within the sampler's range
        assert int(layout.counts(b).sum()) == totals[b]
    assert got.min() >= drawn.min() and got.max() <= max(drawn.max(), layout.stats.high)
    assert got.mean() == pytest.approx(count_stats(layout.sampler).mean, rel=0.003)
    assert got.mean() == pytest.approx(drawn.mean(), rel=0.01)
    assert got.var() == pytest.approx(drawn.var(), rel=0.03)
    values = np.arange(int(max(got.max(), drawn.max())) + 2)
    hist_got = np.histogram(got, bins=values)[0] / got.size
    hist_drawn = np.histogram(drawn, bins=values)[0] / drawn.size
    assert 0.5 * np.abs(hist_got - hist_drawn).sum() < 0.01  # total variation distance of the shapes
    assert (got == drawn).mean() > 0.85  # most parents keep their own draw (heavy tails move more)


def test_planning_does_not_walk_the_parents() -> None:
    """Ten billion parent rows plan at once (the old layout walked 150,000 blocks of draws here)."""
    parents = MAX_TARGET_ROWS
    layout = layout_of(card_schema(parents, {"type": "categorical", "values": [0, 1], "weights": [3, 2]}), "c", "pid")
    assert layout.total == pytest.approx(parents * 0.4, rel=1e-4)
    rows = np.array([0, 1, layout.total // 2, layout.total - 2, layout.total - 1], dtype=np.uint64)
    parent, ordinal = layout.locate(rows)
    assert (np.diff(parent.astype(np.int64)) > 0).all() and (ordinal == 0).all()
    assert int(parent[-1]) < parents
    last = layout.counts(int(parent[-1]) // PARENT_BLOCK)
    assert last[int(parent[-1]) % PARENT_BLOCK] == 1


def test_locate_is_consistent_with_the_counts_across_blocks() -> None:
    layout = layout_of(card_schema(3 * PARENT_BLOCK + 500, {"type": "poisson", "lam": 2}, null_rate=0.1), "c", "pid")
    counts = np.concatenate([layout.counts(b) for b in range(4)])
    assert int(counts.sum()) == layout.total
    null = layout.parent.null_mask(np.arange(counts.size, dtype=np.uint64))
    assert null is not None and (counts[null] == 0).all()  # a parent whose key is NULL has no children
    parent, ordinal = layout.locate(np.arange(layout.total, dtype=np.uint64))
    assert (np.bincount(parent.astype(np.int64), minlength=counts.size) == counts).all()
    assert (np.diff(parent.astype(np.int64)) >= 0).all()
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    assert (ordinal == np.arange(layout.total) - firsts[parent.astype(np.int64)]).all()


def test_unique_fk_cardinality_keeps_one_child_per_parent_across_blocks() -> None:
    layout = layout_of(card_schema(5 * PARENT_BLOCK, {"type": "uniform", "low": 0, "high": 3}, 0.3, unique=True),
                       "c", "pid")  # fmt: skip
    counts = np.concatenate([layout.counts(b) for b in range(5)])
    assert counts.max() == 1 and layout.max_count == 1
    assert int(counts.sum()) == layout.total == pytest.approx(5 * PARENT_BLOCK * 0.7 * 0.75, rel=0.01)


def test_a_rare_child_still_shows_up_in_full_blocks() -> None:
    card = {"type": "categorical", "values": [0, 1], "weights": [99_999, 1]}
    layout = layout_of(card_schema(40 * PARENT_BLOCK, card), "c", "pid")
    assert layout.total == round(40 * PARENT_BLOCK / 100_000)  # 26 children, spread over the 40 blocks
    parent, _ = layout.locate(np.arange(layout.total, dtype=np.uint64))
    assert np.unique(parent // PARENT_BLOCK).size > 10 and np.unique(parent).size == layout.total


def test_rebalance_respects_bounds_and_total() -> None:
    parents = np.arange(1000, dtype=np.uint64)
    counts = (np.arange(1000) % 4).astype(np.int64)
    low = np.ones(1000, dtype=np.int64)
    high = np.full(1000, 3, dtype=np.int64)
    for total in (1000, 1700, 2400, 3000):
        out = rebalance(np.maximum(counts, 1), low, high, total, 5, parents)
        assert int(out.sum()) == total and out.min() >= 1 and out.max() <= 3
        again = rebalance(np.maximum(counts, 1), low, high, total, 5, parents)
        assert (out == again).all()


def composite_schema(parents: int, lines: int, line_type: str = "INT", **line: object):
    return experiment(
        table("orders", parents, col("order_id", "BIGINT", is_unique=True)),
        table("lines", lines,
              col("order_id", "BIGINT", required=True, foreign_key=fk("orders", "order_id")),
              col("line_no", line_type, required=True, **line),
              composite_keys=[["order_id", "line_no"]]),
    )  # fmt: skip


@pytest.mark.parametrize("lines", [2 * PARENT_BLOCK + 7, 3 * PARENT_BLOCK + 999, 4 * (3 * PARENT_BLOCK + 999)])
def test_composite_following_layout_over_many_blocks(lines: int) -> None:
    parents = 3 * PARENT_BLOCK + 999
    plan = build_plan(composite_schema(parents, lines, min_value=1, max_value=9), 5)
    gen = next(c.gen for c in plan.table("lines").columns if c.name == "line_no")
    layout = gen.group.layout  # type: ignore[attr-defined]
    assert isinstance(layout, ExactLayout)
    counts = np.concatenate([layout.counts(b) for b in range(layout.blocks)])
    assert int(counts.sum()) == lines == plan.table("lines").rows
    assert counts.max() <= 9
    if lines >= parents:
        assert counts.min() >= 1  # every order has a line
    else:
        assert set(np.unique(counts)) <= {0, 1}
    assert counts.mean() == pytest.approx(lines / parents)


def test_composite_room_too_small_is_a_plan_error() -> None:
    with pytest.raises(SchemaValidationError, match="393216 of 655360 rows find room"):
        build_plan(composite_schema(2 * PARENT_BLOCK, 10 * PARENT_BLOCK, min_value=1, max_value=3), 5)


def test_multi_block_layouts_are_identical_whatever_the_workers(generate) -> None:
    schema = experiment(
        table("p", 2 * PARENT_BLOCK + 10, col("id", is_unique=True, null_rate=0.05)),
        table("c", 1, col("cid", is_unique=True),
              col("pid", required=True, foreign_key=fk("p", "id", cardinality={"type": "poisson", "lam": 1.5}))),
        table("l", 3 * PARENT_BLOCK, col("cid", required=True, foreign_key=fk("c", "cid")),
              col("n", "SMALLINT", required=True), composite_keys=[["cid", "n"]]),
    )  # fmt: skip
    one = generate(schema, batch_size=70_000)
    two = generate(schema, batch_size=50_000, workers=2)
    assert one.fingerprints() == two.fingerprints()
    assert one.one("select count(*) - count(distinct (cid, n)) from l") == 0
    assert one.one("select count(*) from c where pid not in (select id from p where id is not null)") == 0
    assert one.one("select count(*) from c") == one.result.tables["c"].rows
    assert one.one("select count(distinct cid) from l") == one.result.tables["c"].rows  # every parent has a line


def test_count_stats_are_exact_for_discrete_samplers() -> None:
    stats = count_stats(count_sampler(experiment_card({"type": "categorical", "values": [0, 1, 5],
                                                       "weights": [1, 1, 2]})))  # fmt: skip
    assert (stats.low, stats.high) == (0, 5) and stats.mean == pytest.approx(2.75, abs=1e-12)
    stats = count_stats(count_sampler(experiment_card({"type": "uniform", "low": 2, "high": 6})), cap=4)
    assert (stats.low, stats.high) == (2, 4) and stats.mean == pytest.approx((2 + 3 + 4 + 4 + 4) / 5)
    wide = count_stats(count_sampler(experiment_card({"type": "uniform", "low": 0, "high": 10**12})))  # no table
    assert (wide.low, wide.high) == (0, 10**12) and wide.mean == 5 * 10**11


def experiment_card(card: dict):
    schema = card_schema(10, card)
    fk_ = schema.table("c").column("pid").foreign_key  # type: ignore[union-attr]
    assert fk_ is not None and fk_.cardinality is not None
    return fk_.cardinality


@pytest.mark.parametrize(("parents", "lines"), [(PARENT_BLOCK + 1, 2 * PARENT_BLOCK + 2), (PARENT_BLOCK + 1, 30_000),
                                                (3 * PARENT_BLOCK + 5, 5 * PARENT_BLOCK)])  # fmt: skip
def test_composite_following_parents_with_null_keys(parents: int, lines: int) -> None:
    """A last block of one parent is merged into the one before, so NULL keys there cannot strand its rows."""
    schema = experiment(
        table("orders", parents, col("order_id", "BIGINT", is_unique=True, null_rate=0.4)),
        table("lines", lines, col("order_id", "BIGINT", required=True, foreign_key=fk("orders", "order_id")),
              col("line_no", required=True), composite_keys=[["order_id", "line_no"]]),
    )  # fmt: skip
    plan = build_plan(schema, 3)
    layout = next(c.gen for c in plan.table("lines").columns if c.name == "line_no").group.layout  # type: ignore[attr-defined]
    counts = np.concatenate([layout.counts(b) for b in range(layout.blocks)])
    null = layout.parent.null_mask(np.arange(parents, dtype=np.uint64))
    assert int(counts.sum()) == lines and (counts[null] == 0).all() and counts.max() <= layout.max_count
    if lines > parents:
        assert counts[~null].min() >= 1
    parent, _ = layout.locate(np.arange(lines, dtype=np.uint64))
    assert (np.bincount(parent.astype(np.int64), minlength=parents) == counts).all()
