"""Statistical distributions a column (or a foreign key's cardinality) can follow.

Written as a `distribution` block: `{"type": "normal", "mean": 150, "stddev": 50}`. The brief's nested form
`{"type": "normal", "parameters": {"mean": 150, "stddev": 50}}` is accepted too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _flatten_parameters(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("parameters"), dict):
            merged = {k: v for k, v in data.items() if k != "parameters"}
            merged.update(data["parameters"])
            return merged
        return data


class NormalDistribution(_Dist):
    type: Literal["normal", "gaussian"] = "normal"
    mean: float
    stddev: float = Field(gt=0, description="standard deviation, > 0")


class ExponentialDistribution(_Dist):
    """Exponential with the given `scale` (= mean = 1/rate). `rate` may be given instead."""

    type: Literal["exponential"] = "exponential"
    scale: float | None = Field(default=None, gt=0)
    rate: float | None = Field(default=None, gt=0)
    offset: float = 0.0

    @model_validator(mode="after")
    def _one_of(self) -> ExponentialDistribution:
        if (self.scale is None) == (self.rate is None):
            raise ValueError("exponential needs exactly one of 'scale' (the mean) or 'rate' (1/mean), > 0")
        return self

    @property
    def mean(self) -> float:
        return self.scale if self.scale is not None else 1.0 / (self.rate or 1.0)


class BetaDistribution(_Dist):
    """Beta(alpha, beta) on [0, 1], stretched onto the column's [min_value, max_value] when both are set."""

    type: Literal["beta"] = "beta"
    alpha: float = Field(gt=0)
    beta: float = Field(gt=0)


class UniformDistribution(_Dist):
    """Uniform on [low, high]; both default to the column's bounds."""

    type: Literal["uniform"] = "uniform"
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> UniformDistribution:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"uniform 'low' ({self.low}) must be <= 'high' ({self.high})")
        return self


class LognormalDistribution(_Dist):
    """exp(N(mean, sigma)): `mean` and `sigma` are those of the underlying normal."""

    type: Literal["lognormal"] = "lognormal"
    mean: float = 0.0
    sigma: float = Field(gt=0)


class PoissonDistribution(_Dist):
    type: Literal["poisson"] = "poisson"
    lam: float = Field(ge=0, description="mean number of events")


class ZipfDistribution(_Dist):
    """Zipf with exponent `a` > 1 over ranks 1..n (n defaults to the column's range or 1000)."""

    type: Literal["zipf"] = "zipf"
    a: float = Field(gt=1)
    n: int | None = Field(default=None, ge=1)


class CategoricalDistribution(_Dist):
    """A choice among `values`, with optional relative `weights` (same length, >= 0, not all 0)."""

    type: Literal["categorical"] = "categorical"
    values: list[Any] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self) -> CategoricalDistribution:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"categorical has {len(self.values)} values but {len(self.weights)} weights; give one per value"
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("categorical weights must be >= 0 and not all 0")
        return self


class EmpiricalDistribution(_Dist):
    """A distribution learned from a sample (`dw-sim experiment learn`), sampled by inverse transform.

    `values`/`weights`: frequent values (each seen at least `min_count` times in the sample) and their shares of
    the non-NULL rows, in the order the copula ranks them. The rest of the mass (1 - sum of weights) follows
    `quantiles` (numbers, or days since 1970-01-01 for dates and timestamps: the inverse CDF at the probabilities
    (k + 0.5) / len) or, for strings, character-class `patterns` (`A` upper-case letter, `a` lower-case, `9` digit,
    anything else, or any character after a backslash, literal) by `pattern_weights`. With no rest, the weights are
    rescaled to 1."""

    type: Literal["empirical"] = "empirical"
    values: list[Any] = Field(default_factory=list)
    weights: list[float] = Field(default_factory=list)
    quantiles: list[float] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    pattern_weights: list[float] = Field(default_factory=list)
    digits: int | None = Field(default=None, ge=0, le=12, description="round generated FLOAT values to this many "
                               "decimals (the sample's own precision)")  # fmt: skip

    @model_validator(mode="after")
    def _parts(self) -> EmpiricalDistribution:
        if len(self.values) != len(self.weights):
            raise ValueError(f"empirical has {len(self.values)} values but {len(self.weights)} weights")
        if len(self.patterns) != len(self.pattern_weights):
            raise ValueError(f"empirical has {len(self.patterns)} patterns but {len(self.pattern_weights)} weights")
        if any(w < 0 for w in [*self.weights, *self.pattern_weights]):
            raise ValueError("empirical weights must be >= 0")
        if sum(self.weights) > 1.0 + 1e-6:
            raise ValueError("empirical weights are shares of the rows: they must add up to at most 1")
        if self.quantiles and self.patterns:
            raise ValueError("empirical takes quantiles (numbers, dates) or patterns (strings), not both")
        if any(b < a for a, b in zip(self.quantiles, self.quantiles[1:], strict=False)):
            raise ValueError("empirical quantiles must be non-decreasing")
        if any(not p for p in self.patterns):
            raise ValueError("empirical patterns cannot be empty")
        if not self.values and not self.quantiles and not self.patterns:
            raise ValueError("empirical needs values, quantiles or patterns")
        if not self.quantiles and not self.patterns and sum(self.weights) <= 0:
            raise ValueError("empirical weights are all 0 and nothing else is given")
        if self.patterns and sum(self.pattern_weights) <= 0:
            raise ValueError("empirical pattern_weights must not all be 0")
        return self

    @property
    def rest_share(self) -> float:
        """The share of rows drawn from the quantiles or patterns (0 when there are none)."""
        return max(0.0, 1.0 - sum(self.weights)) if (self.quantiles or self.patterns) else 0.0


def pattern_length(pattern: str) -> int:
    """How many characters a pattern spells (a backslash only marks the next character as literal)."""
    length, escaped = 0, False
    for char in pattern:
        if char == "\\" and not escaped:
            escaped = True
            continue
        length, escaped = length + 1, False
    return length


Distribution = Annotated[
    NormalDistribution
    | ExponentialDistribution
    | BetaDistribution
    | UniformDistribution
    | LognormalDistribution
    | PoissonDistribution
    | ZipfDistribution
    | CategoricalDistribution
    | EmpiricalDistribution,
    Field(discriminator="type"),
]

DISTRIBUTION_NAMES = (
    "normal",
    "exponential",
    "beta",
    "uniform",
    "lognormal",
    "poisson",
    "zipf",
    "categorical",
    "empirical",
)
