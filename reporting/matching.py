"""Do children of families served by a Parent Partner do better than similar children who were
not? Propensity score matching, then outcomes compared between the matched groups.

This module is the statistics only: it takes plain ``Unit`` records (one removal episode each,
a child of a served family or one of the comparison pool) and returns an ``Evaluation`` that
a page prints and a JSONField stores. No models, no database.

The question is the one the Iowa Parent Partner evaluation asked (Chambers, Lint, Thompson,
Carlson and Graef, *Children and Youth Services Review* 104, 2019), answered the same way:

1. **The propensity score.** A logistic regression of "served" on the covariates recorded for
   every child (county, sex, race and ethnicity, placement setting, age at entry, prior
   removals, removal reasons): each child's probability of being served given those. Every
   categorical covariate is one-hot encoded, every level seen a column of its own (a covariate
   not recorded, ``""``, is a level too); numbers are used as they are. The columns are
   standardized for the model, and the model's mild default L2 penalty keeps it finite when a
   level separates the groups perfectly. Matching is on the logit of the score, where distances
   are closer to even than on the probability scale.
2. **Matching.** Each served child is paired with the comparison child whose logit is nearest,
   greedily, *without replacement* (a comparison child is used at most once), and only within a
   *caliper* of ``CALIPER_SD`` (0.2) standard deviations of the logit (pooled over the two
   groups; Austin 2011, Pharmaceutical Statistics 10(2):150-161). Served children are taken
   highest score first: they have the fewest comparison children near them, so they choose
   before the easy ones use those up. Ties are broken by a fixed rule (``match``). A
   served child with no unused comparison child inside the caliper stays unmatched and is
   counted, and the estimate is then about the served children who were matched.
3. **Balance.** For every covariate column (each level of a categorical, each number), the
   standardized mean difference between the groups, before matching (every served child
   against the whole pool) and after (matched served children against their matches). Below
   ``BALANCE_BAR`` (0.1) in absolute value everywhere is the usual sign that matching worked.
4. **Outcomes.** Returned home at discharge, days in out-of-home care, re-entry within 12 and
   within 24 months, each over the matched pairs in which both children have the outcome
   defined (discharged; for re-entry, returned home and followed long enough). The difference
   is served minus comparison, with a 95% interval from a bootstrap of the *pairs* (percentile
   method): pairs are resampled whole because the two children of a pair were chosen together.
   The naive difference (every served child against the whole pool, unmatched) is reported
   beside it, with a normal-approximation interval, to show how much matching changed.
   Fewer than ``MIN_PAIRS`` pairs: ``enough`` is False and no difference is given.

What it assumes. Matching removes only the differences in the covariates measured. Anything
else that differs between served families and the rest (why a family accepted a Parent
Partner, motivation, what a caseworker saw and did not record) remains, and can push the
estimate either way: the result is evidence of association among comparable children, not
proof that the Parent Partner caused it. It also assumes that every served child could have
been in the pool (overlap); the unmatched count says how far that failed.

Degenerate input (nobody served, no pool, nothing inside the caliper) never raises: the
``Evaluation`` then has a ``reason`` code (``REASON_*``) the page translates, zero pairs and
``enough=False`` everywhere.

``synthetic`` makes data with a known effect and known confounding, for the tests and the
demo.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

# Austin 2011: 0.2 standard deviations of the logit of the propensity score removed most of
# the bias in his simulations while keeping most of the treated units.
CALIPER_SD = 0.2
# The usual threshold for a negligible standardized difference (Austin 2009, Normand 2001).
BALANCE_BAR = 0.1
# Below this many pairs an interval is too wide, and the proportions too revealing of small
# counts, to print a difference.
MIN_PAIRS = 30
CONFIDENCE = 0.95

REASON_NO_SERVED = "no_served"
REASON_NO_COMPARISON = "no_comparison"
REASON_NO_MATCHES = "no_matches"

PROPORTION = "proportion"
MEAN = "mean"
# Each outcome's name and whether its value is a proportion (0 to 1; the page prints
# percentage points) or a mean (days).
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("returned_home", PROPORTION),
    ("days_in_care", MEAN),
    ("reentered_12", PROPORTION),
    ("reentered_24", PROPORTION),
)
OUTCOME_KINDS = dict(OUTCOMES)

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Unit:
    """One removal episode: a child of a served family (treated) or one of the comparison pool.

    ``categories``: covariate to level, ``""`` meaning not recorded (a level of its own; a
    covariate missing from the mapping counts as ``""``). ``numbers``: covariate to value (a
    covariate missing counts as 0, which is right for the 0/1 ``reason:<code>`` flags).
    Outcomes are None when not defined: not discharged yet; for re-entry also not returned
    home, or fewer than 12 (24) months observed since."""

    treated: bool
    categories: Mapping[str, str]
    numbers: Mapping[str, float]
    returned_home: bool | None
    days_in_care: int | None
    reentered_12: bool | None
    reentered_24: bool | None


@dataclass(frozen=True)
class Balance:
    """One covariate column's standardized mean difference, before and after matching.

    ``level`` is the categorical level (``""``: not recorded), or ``""`` for a number
    (``is_number`` tells the two apart). ``smd_after`` is None when nothing was matched."""

    covariate: str
    level: str
    smd_before: float
    smd_after: float | None
    is_number: bool = False


@dataclass(frozen=True)
class OutcomeResult:
    """One outcome over the matched pairs that define it, and naively over everyone.

    Values are proportions (0 to 1) or mean days (``kind``). ``difference`` is served minus
    comparison, ``low``/``high`` its 95% bootstrap interval; all None unless ``enough``.
    The naive figures compare every served child with the whole pool (``naive_served`` and
    ``naive_comparison`` children with the outcome defined); None when either has fewer than
    two."""

    name: str
    pairs: int
    served_value: float | None
    comparison_value: float | None
    difference: float | None
    low: float | None
    high: float | None
    naive_difference: float | None
    naive_low: float | None
    naive_high: float | None
    enough: bool
    naive_served: int = 0
    naive_comparison: int = 0

    @property
    def kind(self) -> str:
        return OUTCOME_KINDS.get(self.name, MEAN)

    @property
    def excludes_zero(self) -> bool:
        """The matched interval lies wholly above or wholly below zero."""
        return _excludes_zero(self.low, self.high) if self.enough else False

    @property
    def naive_excludes_zero(self) -> bool:
        return _excludes_zero(self.naive_low, self.naive_high)


def _excludes_zero(low: float | None, high: float | None) -> bool:
    return low is not None and high is not None and (low > 0 or high < 0)


@dataclass(frozen=True)
class Evaluation:
    """The whole comparison. ``served``/``pool``: units in each group; ``matched``: pairs;
    ``unmatched``: served units left without a match; ``caliper`` on the logit scale.
    ``reason`` is ``""`` when the evaluation could be made, else a ``REASON_*`` code."""

    served: int
    pool: int
    matched: int
    unmatched: int
    caliper: float
    balance: tuple[Balance, ...]
    max_smd_after: float | None
    balanced: bool
    outcomes: tuple[OutcomeResult, ...]
    reason: str = ""

    def outcome(self, name: str) -> OutcomeResult:
        return next(result for result in self.outcomes if result.name == name)

    def to_json(self) -> dict[str, Any]:
        """Plain Python values only (no numpy types, no NaN), for a JSONField."""
        data = asdict(self)
        data["balance"] = [asdict(row) for row in self.balance]
        data["outcomes"] = [asdict(row) for row in self.outcomes]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Evaluation:
        values = dict(data)
        values["balance"] = tuple(Balance(**row) for row in data["balance"])
        values["outcomes"] = tuple(OutcomeResult(**row) for row in data["outcomes"])
        return cls(**values)


# --- The design matrix ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    covariate: str
    level: str
    is_number: bool


@dataclass(frozen=True)
class _Design:
    columns: tuple[_Column, ...]
    matrix: FloatArray = field(repr=False)  # units x columns, unstandardized


_NUMBER_LIMIT = 1e9


def _design(units: Sequence[Unit]) -> _Design:
    category_names = sorted({name for unit in units for name in unit.categories})
    number_names = sorted({name for unit in units for name in unit.numbers})
    blocks: list[FloatArray] = []
    columns: list[_Column] = []
    for name in category_names:
        raw = np.array([unit.categories.get(name, "") for unit in units], dtype=str)
        levels, codes = np.unique(raw, return_inverse=True)
        blocks.append(np.eye(len(levels))[codes.reshape(-1)])
        columns.extend(_Column(name, str(level), is_number=False) for level in levels)
    if number_names:
        numbers = np.array(
            [[float(unit.numbers.get(name, 0.0)) for name in number_names] for unit in units],
            dtype=np.float64,
        ).reshape(len(units), len(number_names))
        # Input is meant to be finite; a NaN or infinity slipping through must not stop the
        # page, so it counts as 0 (as a missing number does). No real covariate comes near
        # the clip, which keeps variances and means finite.
        numbers = np.nan_to_num(numbers, nan=0.0, posinf=0.0, neginf=0.0)
        blocks.append(np.clip(numbers, -_NUMBER_LIMIT, _NUMBER_LIMIT))
        columns.extend(_Column(name, "", is_number=True) for name in number_names)
    matrix = np.hstack(blocks) if blocks else np.zeros((len(units), 0))
    return _Design(tuple(columns), matrix.astype(np.float64))


# --- The propensity score ------------------------------------------------------------------


def propensity_logit(matrix: FloatArray, treated: npt.NDArray[np.bool_]) -> FloatArray:
    """The logit of each unit's propensity score: a logistic regression of ``treated`` on the
    columns of ``matrix``, standardized first. Both groups must be present."""
    spread = matrix.std(axis=0)
    varying = spread > 0
    if not varying.any():
        # Nothing distinguishes anyone: everyone's score is the share treated.
        share = float(treated.mean())
        return np.full(len(treated), math.log(share / (1 - share)))
    standardized = (matrix[:, varying] - matrix[:, varying].mean(axis=0)) / spread[varying]
    model = LogisticRegression(solver="lbfgs", C=1.0, max_iter=2000)
    model.fit(standardized, treated)
    return np.asarray(model.decision_function(standardized), dtype=np.float64)


def caliper_width(logit_treated: FloatArray, logit_control: FloatArray) -> float:
    """``CALIPER_SD`` times the logit's standard deviation pooled over the two groups
    (sqrt of the mean of the two variances, as Austin 2011)."""
    variances = [
        float(np.var(values, ddof=1)) if len(values) > 1 else 0.0
        for values in (logit_treated, logit_control)
    ]
    return CALIPER_SD * math.sqrt((variances[0] + variances[1]) / 2)


# --- Matching ------------------------------------------------------------------------------


def _find(parent: list[int], node: int) -> int:
    """The root of ``node`` with path halving: the next unused control in one direction."""
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def match(
    scores_treated: npt.ArrayLike, scores_control: npt.ArrayLike, caliper: float
) -> tuple[IndexArray, IndexArray]:
    """Greedy 1:1 nearest-neighbour matching without replacement within ``caliper``.

    Treated units are taken highest score first (ties: earlier index first); each takes the
    unused control with the nearest score if it is at most ``caliper`` away, else stays
    unmatched. Ties: a lower score before a higher one; among equal scores, the control
    sorted nearest (controls sorted by score, then index: above or at the treated score the
    earliest index, below it the latest). Returns the treated and control
    indices of the pairs, as two arrays ordered by treated index.

    Controls are sorted once; two union-find structures over the sorted positions point from
    each position to the nearest unused control at or left of it and at or right of it, so the
    whole is O((n_treated + n_control) log n_control)."""
    treated = np.asarray(scores_treated, dtype=np.float64).reshape(-1)
    control = np.asarray(scores_control, dtype=np.float64).reshape(-1)
    none = np.zeros(0, dtype=np.intp)
    if len(treated) == 0 or len(control) == 0 or not caliper >= 0:
        return none, none.copy()
    by_score = np.argsort(control, kind="stable")
    sorted_control = control[by_score]
    size = len(control)
    # Controls at positions < insert have a score below the treated unit's, >= at or above.
    inserts = np.searchsorted(sorted_control, treated, side="left").tolist()
    order = np.argsort(-treated, kind="stable").tolist()
    # right[p]: nearest unused position >= p (size: none left). left[p + 1]: nearest unused
    # position <= p, plus one (0: none left); shifted so the sentinel has an index.
    right = list(range(size + 1))
    left = list(range(size + 1))
    scores = sorted_control.tolist()
    treated_scores = treated.tolist()
    pairs_treated: list[int] = []
    pairs_control: list[int] = []
    for unit in order:
        score = treated_scores[unit]
        insert = inserts[unit]
        below = _find(left, insert) - 1  # nearest unused position < insert, -1 if none
        above = _find(right, insert)  # nearest unused position >= insert, size if none
        gap_below = score - scores[below] if below >= 0 else math.inf
        gap_above = scores[above] - score if above < size else math.inf
        chosen, gap = (below, gap_below) if gap_below <= gap_above else (above, gap_above)
        if gap > caliper:
            continue
        right[chosen] = chosen + 1
        left[chosen + 1] = chosen
        pairs_treated.append(unit)
        pairs_control.append(int(by_score[chosen]))
    ordered = np.argsort(pairs_treated, kind="stable")
    return (
        np.asarray(pairs_treated, dtype=np.intp)[ordered],
        np.asarray(pairs_control, dtype=np.intp)[ordered],
    )


# --- Balance -------------------------------------------------------------------------------


def standardized_differences(treated: FloatArray, control: FloatArray) -> FloatArray:
    """Each column's (mean treated - mean control) / sqrt((var treated + var control) / 2),
    sample variances. Where that pooled variance is 0, both groups are constant: 0 when the
    constants are equal, else the difference over the standard deviation of both groups
    together (finite, and large: the groups do not overlap at all). Both need a row."""
    mean_t, mean_c = treated.mean(axis=0), control.mean(axis=0)
    var_t = treated.var(axis=0, ddof=1) if len(treated) > 1 else np.zeros(treated.shape[1])
    var_c = control.var(axis=0, ddof=1) if len(control) > 1 else np.zeros(control.shape[1])
    pooled = np.sqrt((var_t + var_c) / 2)
    together = np.vstack([treated, control]).std(axis=0)
    difference = mean_t - mean_c
    scale = np.where(pooled > 0, pooled, together)
    with np.errstate(divide="ignore", invalid="ignore"):
        smd = np.where(scale > 0, difference / np.where(scale > 0, scale, 1.0), 0.0)
    return np.asarray(smd, dtype=np.float64)


# --- Outcomes ------------------------------------------------------------------------------


def _outcome_arrays(units: Sequence[Unit]) -> dict[str, FloatArray]:
    """Each outcome as floats, NaN where not defined."""

    def value(raw: bool | int | None) -> float:
        return math.nan if raw is None else float(raw)

    return {
        "returned_home": np.array([value(unit.returned_home) for unit in units]),
        "days_in_care": np.array([value(unit.days_in_care) for unit in units]),
        "reentered_12": np.array([value(unit.reentered_12) for unit in units]),
        "reentered_24": np.array([value(unit.reentered_24) for unit in units]),
    }


def bootstrap_interval(
    differences: FloatArray, *, resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """The percentile interval (``CONFIDENCE``) of the mean of ``differences`` (one per pair),
    resampling the pairs with replacement; in chunks so memory stays bounded."""
    count = len(differences)
    means = np.empty(resamples)
    chunk = max(1, 2_000_000 // count)
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        drawn = rng.integers(0, count, size=(stop - start, count))
        means[start:stop] = differences[drawn].mean(axis=1)
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def _naive(served: FloatArray, pool: FloatArray) -> tuple[float, float, float] | None:
    """Difference of means with a normal-approximation (Wald) interval, unmatched."""
    if len(served) < 2 or len(pool) < 2:
        return None
    difference = float(served.mean() - pool.mean())
    error = math.sqrt(float(served.var(ddof=1)) / len(served) + float(pool.var(ddof=1)) / len(pool))
    z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)
    return difference, difference - z * error, difference + z * error


def _outcome(
    name: str,
    values: FloatArray,
    treated: npt.NDArray[np.bool_],
    pairs: tuple[IndexArray, IndexArray],
    *,
    resamples: int,
    rng: np.random.Generator,
) -> OutcomeResult:
    served_all, pool_all = values[treated], values[~treated]
    served_all = served_all[~np.isnan(served_all)]
    pool_all = pool_all[~np.isnan(pool_all)]
    naive = _naive(served_all, pool_all)
    served_values, comparison_values = values[pairs[0]], values[pairs[1]]
    defined = ~np.isnan(served_values) & ~np.isnan(comparison_values)
    count = int(defined.sum())
    enough = count >= MIN_PAIRS
    served_value = comparison_value = difference = low = high = None
    if enough:
        served_pairs, comparison_pairs = served_values[defined], comparison_values[defined]
        served_value = float(served_pairs.mean())
        comparison_value = float(comparison_pairs.mean())
        differences = served_pairs - comparison_pairs
        difference = float(differences.mean())
        low, high = bootstrap_interval(differences, resamples=resamples, rng=rng)
    return OutcomeResult(
        name=name,
        pairs=count,
        served_value=served_value,
        comparison_value=comparison_value,
        difference=difference,
        low=low,
        high=high,
        naive_difference=naive[0] if naive else None,
        naive_low=naive[1] if naive else None,
        naive_high=naive[2] if naive else None,
        enough=enough,
        naive_served=len(served_all),
        naive_comparison=len(pool_all),
    )


# --- The whole evaluation ------------------------------------------------------------------


def evaluate(
    units: Sequence[Unit],
    *,
    seed: int = 0,
    resamples: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Match the served units to the pool and compare their outcomes (see the module's
    docstring). ``seed`` drives the bootstrap only; matching is deterministic. ``progress``
    is called with a percentage as the steps finish, 100 last."""
    if resamples < 1:
        raise ValueError("resamples must be at least 1")

    def report(percent: int) -> None:
        if progress is not None:
            progress(percent)

    treated = np.array([bool(unit.treated) for unit in units], dtype=np.bool_)
    served, pool = int(treated.sum()), int((~treated).sum())
    outcome_values = _outcome_arrays(units)
    empty_pairs = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))
    rng = np.random.default_rng(seed)

    def outcomes(pairs: tuple[IndexArray, IndexArray], start: int) -> tuple[OutcomeResult, ...]:
        results = []
        for number, (name, _kind) in enumerate(OUTCOMES, start=1):
            results.append(
                _outcome(name, outcome_values[name], treated, pairs, resamples=resamples, rng=rng)
            )
            report(start + (100 - start) * number // len(OUTCOMES))
        return tuple(results)

    if served == 0 or pool == 0:
        return Evaluation(
            served=served,
            pool=pool,
            matched=0,
            unmatched=served,
            caliper=0.0,
            balance=(),
            max_smd_after=None,
            balanced=False,
            outcomes=outcomes(empty_pairs, 0),
            reason=REASON_NO_SERVED if served == 0 else REASON_NO_COMPARISON,
        )

    design = _design(units)
    logit = propensity_logit(design.matrix, treated)
    report(10)

    treated_index = np.flatnonzero(treated)
    control_index = np.flatnonzero(~treated)
    caliper = caliper_width(logit[treated_index], logit[control_index])
    matched_t, matched_c = match(logit[treated_index], logit[control_index], caliper)
    pairs = (treated_index[matched_t], control_index[matched_c])
    matched = len(matched_t)
    report(40)

    before = standardized_differences(design.matrix[treated_index], design.matrix[control_index])
    after = (
        standardized_differences(design.matrix[pairs[0]], design.matrix[pairs[1]])
        if matched
        else None
    )
    balance = tuple(
        Balance(
            covariate=column.covariate,
            level=column.level,
            smd_before=float(before[position]),
            smd_after=float(after[position]) if after is not None else None,
            is_number=column.is_number,
        )
        for position, column in enumerate(design.columns)
    )
    max_smd_after = (
        float(np.abs(after).max())
        if after is not None and len(after)
        else (0.0 if matched else None)
    )
    report(60)

    return Evaluation(
        served=served,
        pool=pool,
        matched=matched,
        unmatched=served - matched,
        caliper=float(caliper),
        balance=balance,
        max_smd_after=max_smd_after,
        balanced=max_smd_after is not None and max_smd_after < BALANCE_BAR,
        outcomes=outcomes(pairs, 60),
        reason="" if matched else REASON_NO_MATCHES,
    )


# --- Synthetic data with a known effect ----------------------------------------------------

COUNTIES = ("milwaukee", "dane", "brown", "rock", "door")
RACES = ("american_indian", "asian", "black", "hispanic", "white", "multiracial", "")
PLACEMENT_SETTINGS = ("relative", "foster", "group", "residential")
REMOVAL_REASONS = ("neglect", "parent_drug_abuse", "physical_abuse", "inadequate_housing")

# How the served differ from the pool: the log of the ratio of their covariate densities,
# linear in the covariates, so the logistic propensity model is correctly specified. Served
# children are younger, more often placed with relatives, their parents more often using
# drugs, and Door and Dane counties (which have programs) serve more.
_TILT_AGE = -0.2
_TILT_COUNTY = {"door": 0.6, "dane": 0.3}
_TILT_RELATIVE = 0.4
_TILT_REASONS = {"parent_drug_abuse": 0.7, "neglect": 0.2}
_TILT_PRIOR = -0.3
_TILT_MAX = 0.6 + _TILT_RELATIVE + 0.7 + 0.2  # at age 0, no prior removals
# The pool's baseline chance of returning home ranges over [0.115, 0.75] (see _home_chance),
# so an effect in this range keeps every cell's chance a probability.
EFFECT_RANGE = (-0.1, 0.2)


def _draw_covariates(rng: np.random.Generator, count: int) -> dict[str, npt.NDArray[Any]]:
    age = rng.integers(0, 18, size=count)
    teen = age >= 12
    # Teenagers are placed in group and residential settings more often.
    setting_chances = np.where(
        teen[:, None], np.array([0.25, 0.35, 0.25, 0.15]), np.array([0.35, 0.45, 0.12, 0.08])
    )
    setting = (rng.random(count)[:, None] > np.cumsum(setting_chances, axis=1)).sum(axis=1)
    covariates: dict[str, npt.NDArray[Any]] = {
        "county": rng.choice(len(COUNTIES), size=count, p=[0.4, 0.2, 0.15, 0.15, 0.1]),
        "sex": rng.integers(0, 2, size=count),
        "race_ethnicity": rng.choice(
            len(RACES), size=count, p=[0.05, 0.03, 0.25, 0.1, 0.45, 0.07, 0.05]
        ),
        "placement_setting": np.minimum(setting, len(PLACEMENT_SETTINGS) - 1),
        "age_at_entry": age,
        "prior_removals": rng.choice(4, size=count, p=[0.6, 0.25, 0.1, 0.05]),
    }
    for reason, chance in zip(REMOVAL_REASONS, (0.6, 0.35, 0.15, 0.2), strict=True):
        covariates[f"reason:{reason}"] = (rng.random(count) < chance).astype(int)
    return covariates


def _tilt(covariates: Mapping[str, npt.NDArray[Any]]) -> FloatArray:
    county = np.array([_TILT_COUNTY.get(name, 0.0) for name in COUNTIES])[covariates["county"]]
    tilt = (
        _TILT_AGE * covariates["age_at_entry"]
        + county
        + _TILT_RELATIVE * (covariates["placement_setting"] == 0)
        + _TILT_PRIOR * covariates["prior_removals"]
    )
    for reason, weight in _TILT_REASONS.items():
        tilt = tilt + weight * covariates[f"reason:{reason}"]
    return np.asarray(tilt, dtype=np.float64)


def _home_chance(covariates: Mapping[str, npt.NDArray[Any]]) -> FloatArray:
    """The chance of returning home without a Parent Partner: higher for younger children and
    relative placements (both more common among the served: the confounding), lower with
    drug use, residential care and prior removals."""
    chance = (
        0.5
        + 0.025 * (8 - covariates["age_at_entry"])
        - 0.05 * covariates["reason:parent_drug_abuse"]
        + 0.05 * (covariates["placement_setting"] == 0)
        - 0.05 * (covariates["placement_setting"] == 3)
        - 0.02 * covariates["prior_removals"]
    )
    return np.asarray(chance, dtype=np.float64)


def synthetic(*, seed: int, served: int, pool: int, effect: float) -> list[Unit]:
    """``served`` + ``pool`` units with a known effect and known confounding.

    A served child's chance of returning home is exactly ``effect`` higher than a pool child's
    with the same covariates, in every cell (``EFFECT_RANGE``). Served children are drawn from
    the pool's covariate distribution tilted (rejection sampling) towards younger children,
    relative placements, parental drug use, Door and Dane counties and fewer prior removals.
    Younger children and relative placements return home more often, so the naive difference
    overstates the effect (by about 0.1 here). Other outcomes: 10% not discharged yet (every
    outcome None); days in care longer with age and drug use; of those returned home, re-entry
    about 12% within 12 months and 20% within 24, with follow-up from 0 to 36 months (None
    where shorter than 12 or 24)."""
    if not EFFECT_RANGE[0] <= effect <= EFFECT_RANGE[1]:
        raise ValueError(f"effect must be within {EFFECT_RANGE}")
    rng = np.random.default_rng(seed)
    pool_covariates = _draw_covariates(rng, pool)
    accepted: list[dict[str, npt.NDArray[Any]]] = []
    found = 0
    while found < served:
        batch = _draw_covariates(rng, max(1000, 15 * (served - found)))
        keep = rng.random(len(batch["age_at_entry"])) < np.exp(_tilt(batch) - _TILT_MAX)
        accepted.append({name: values[keep] for name, values in batch.items()})
        found += int(keep.sum())
    served_covariates = {
        name: np.concatenate([batch[name] for batch in accepted])[:served]
        for name in pool_covariates
    }
    covariates = {
        name: np.concatenate([served_covariates[name], pool_covariates[name]])
        for name in pool_covariates
    }
    count = served + pool
    treated = np.arange(count) < served
    age = covariates["age_at_entry"]
    drug = covariates["reason:parent_drug_abuse"]

    discharged = rng.random(count) < 0.9
    home = rng.random(count) < _home_chance(covariates) + effect * treated
    days = np.where(
        home,
        rng.gamma(2.0, (120 + 12 * age + 60 * drug) / 2.0),
        rng.gamma(3.0, (500 + 15 * age) / 3.0),
    )
    days = np.maximum(1, np.rint(days)).astype(int)
    follow_up = rng.uniform(0, 36, size=count)  # months observed since returning home
    returns = rng.random(count) < 0.16 + 0.03 * covariates["prior_removals"] + 0.04 * drug
    months_to_return = 24 * rng.random(count) ** 1.3  # earlier re-entries more common

    units: list[Unit] = []
    for index in rng.permutation(count).tolist():
        is_discharged = bool(discharged[index])
        is_home = is_discharged and bool(home[index])
        reentered: dict[int, bool | None] = {}
        for window in (12, 24):
            observed = is_home and follow_up[index] >= window
            reentered[window] = (
                bool(returns[index] and months_to_return[index] < window) if observed else None
            )
        units.append(
            Unit(
                treated=bool(treated[index]),
                categories={
                    "county": COUNTIES[covariates["county"][index]],
                    "sex": ("female", "male")[covariates["sex"][index]],
                    "race_ethnicity": RACES[covariates["race_ethnicity"][index]],
                    "placement_setting": PLACEMENT_SETTINGS[covariates["placement_setting"][index]],
                },
                numbers={
                    "age_at_entry": float(age[index]),
                    "prior_removals": float(covariates["prior_removals"][index]),
                    **{
                        f"reason:{reason}": float(covariates[f"reason:{reason}"][index])
                        for reason in REMOVAL_REASONS
                    },
                },
                returned_home=bool(home[index]) if is_discharged else None,
                days_in_care=int(days[index]) if is_discharged else None,
                reentered_12=reentered[12],
                reentered_24=reentered[24],
            )
        )
    return units
