"""The outcomes comparison's statistics (``reporting.matching``): on synthetic data with a known
effect and known confounding, matching recovers the effect the naive comparison overstates;
the matching itself is greedy nearest-neighbour without replacement inside the caliper; and
no input, however degenerate, makes it raise. No database."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.matching import (
    BALANCE_BAR,
    CALIPER_SD,
    MIN_PAIRS,
    OUTCOMES,
    REASON_NO_COMPARISON,
    REASON_NO_MATCHES,
    REASON_NO_SERVED,
    Evaluation,
    Unit,
    caliper_width,
    evaluate,
    match,
    standardized_differences,
    synthetic,
)

EFFECT = 0.10


def _unit(
    treated: bool,
    *,
    categories: dict[str, str] | None = None,
    numbers: dict[str, float] | None = None,
    returned_home: bool | None = True,
    days_in_care: int | None = 100,
    reentered_12: bool | None = False,
    reentered_24: bool | None = False,
) -> Unit:
    return Unit(
        treated=treated,
        categories=categories if categories is not None else {"county": "door"},
        numbers=numbers if numbers is not None else {"age_at_entry": 5.0},
        returned_home=returned_home,
        days_in_care=days_in_care,
        reentered_12=reentered_12,
        reentered_24=reentered_24,
    )


def _contains(low: float | None, high: float | None, value: float) -> bool:
    assert low is not None and high is not None
    return low <= value <= high


def _plain(value: Any) -> None:
    """Only JSON's own Python types, all the way down (np.float64 passes json.dumps, being a
    float subclass, so the types are checked exactly)."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str
            _plain(item)
    elif isinstance(value, list):
        for item in value:
            _plain(item)
    else:
        assert type(value) in (str, int, float, bool, type(None)), (value, type(value))
        if type(value) is float:
            assert math.isfinite(value)


# --- Known effect, known confounding ----------------------------------------------------------


@pytest.fixture(scope="module", params=[1, 2, 3])
def confounded(request: pytest.FixtureRequest) -> Evaluation:
    units = synthetic(seed=request.param, served=1500, pool=15000, effect=EFFECT)
    return evaluate(units, seed=request.param)


def test_the_naive_difference_is_biased(confounded: Evaluation) -> None:
    home = confounded.outcome("returned_home")
    assert home.naive_difference is not None
    assert home.naive_difference > EFFECT + 0.05
    assert not _contains(home.naive_low, home.naive_high, EFFECT)


def test_the_matched_interval_contains_the_known_effect(confounded: Evaluation) -> None:
    home = confounded.outcome("returned_home")
    assert home.enough and home.pairs >= MIN_PAIRS
    assert _contains(home.low, home.high, EFFECT)
    assert home.excludes_zero
    assert confounded.reason == ""
    # A pool ten times the served leaves almost nobody unmatched.
    assert confounded.unmatched <= 0.01 * confounded.served


def test_matching_balances_every_covariate(confounded: Evaluation) -> None:
    before = {(row.covariate, row.level): row.smd_before for row in confounded.balance}
    # The confounders were out of balance before matching.
    assert abs(before[("age_at_entry", "")]) > BALANCE_BAR
    assert abs(before[("reason:parent_drug_abuse", "")]) > BALANCE_BAR
    assert abs(before[("placement_setting", "relative")]) > BALANCE_BAR
    for row in confounded.balance:
        assert row.smd_after is not None
        assert abs(row.smd_after) < BALANCE_BAR, row
    assert confounded.max_smd_after is not None and confounded.max_smd_after < BALANCE_BAR
    assert confounded.balanced


def test_every_level_and_number_has_a_balance_row(confounded: Evaluation) -> None:
    rows = {(row.covariate, row.level, row.is_number) for row in confounded.balance}
    assert ("race_ethnicity", "", False) in rows  # not recorded is a level of its own
    assert ("age_at_entry", "", True) in rows
    assert ("reason:neglect", "", True) in rows
    assert {level for covariate, level, _ in rows if covariate == "placement_setting"} == {
        "relative",
        "foster",
        "group",
        "residential",
    }


def test_no_effect_gives_an_interval_around_zero() -> None:
    units = synthetic(seed=4, served=1500, pool=15000, effect=0.0)
    home = evaluate(units, seed=4).outcome("returned_home")
    assert _contains(home.low, home.high, 0.0)
    assert not home.excludes_zero
    # The naive comparison finds an "effect" that is all confounding.
    assert home.naive_low is not None and home.naive_low > 0


def test_every_outcome_is_reported_in_order() -> None:
    evaluation = evaluate(synthetic(seed=5, served=600, pool=6000, effect=EFFECT), resamples=200)
    assert [result.name for result in evaluation.outcomes] == [name for name, _ in OUTCOMES]
    days = evaluation.outcome("days_in_care")
    assert days.kind == "mean"
    assert days.served_value is not None and days.served_value > 1
    for name in ("reentered_12", "reentered_24"):
        result = evaluation.outcome(name)
        assert result.kind == "proportion"
        # Re-entry is defined only for children returned home and followed long enough.
        assert result.pairs < evaluation.outcome("returned_home").pairs
    assert evaluation.outcome("reentered_24").pairs < evaluation.outcome("reentered_12").pairs


def test_the_bootstrap_is_seeded() -> None:
    units = synthetic(seed=6, served=300, pool=3000, effect=EFFECT)
    first, again = evaluate(units, seed=11, resamples=300), evaluate(units, seed=11, resamples=300)
    other = evaluate(units, seed=12, resamples=300)
    assert first == again
    assert first.outcome("returned_home").low != other.outcome("returned_home").low
    # Matching does not depend on the seed.
    assert first.matched == other.matched and first.balance == other.balance


def test_synthetic_refuses_an_effect_that_is_not_a_probability_everywhere() -> None:
    with pytest.raises(ValueError, match="effect"):
        synthetic(seed=1, served=10, pool=10, effect=0.5)


def test_synthetic_has_the_covariates_of_the_extract() -> None:
    units = synthetic(seed=7, served=50, pool=200, effect=EFFECT)
    assert sum(unit.treated for unit in units) == 50 and len(units) == 250
    assert {frozenset(unit.categories) for unit in units} == {
        frozenset({"county", "sex", "race_ethnicity", "placement_setting"})
    }
    numbers = set(units[0].numbers)
    assert {"age_at_entry", "prior_removals", "reason:parent_drug_abuse"} <= numbers
    assert all(0 <= unit.numbers["age_at_entry"] <= 17 for unit in units)
    assert any(unit.returned_home is None for unit in units)
    for unit in units:
        if unit.returned_home is not True:
            assert unit.reentered_12 is None and unit.reentered_24 is None
        if unit.reentered_24 is not None:
            assert unit.reentered_12 is not None
            assert not (unit.reentered_12 and not unit.reentered_24)


# --- Matching --------------------------------------------------------------------------------


def _check_greedy(
    treated: Sequence[float], control: Sequence[float], caliper: float
) -> tuple[list[int], list[int]]:
    """Replay ``match``'s pairs in its order (highest treated score first) and check each
    step: the control was unused, inside the caliper and as near as any unused control; a
    treated unit left out had no unused control inside the caliper."""
    pairs_t, pairs_c = match(treated, control, caliper)
    chosen = dict(zip(pairs_t.tolist(), pairs_c.tolist(), strict=True))
    assert len(set(chosen.values())) == len(chosen), "a control used twice"
    assert list(pairs_t) == sorted(pairs_t)
    unused = set(range(len(control)))
    for unit in sorted(range(len(treated)), key=lambda index: (-treated[index], index)):
        nearest = min((abs(treated[unit] - control[c]) for c in unused), default=math.inf)
        if unit in chosen:
            partner = chosen[unit]
            assert partner in unused
            gap = abs(treated[unit] - control[partner])
            assert gap <= caliper
            assert gap == nearest
            unused.remove(partner)
        else:
            assert nearest > caliper
    return pairs_t.tolist(), pairs_c.tolist()


def test_match_takes_the_nearest_control_without_replacement() -> None:
    pairs_t, pairs_c = _check_greedy([0.0, 0.1, 5.0], [0.05, 0.12, 4.0, 9.0], caliper=1.5)
    # 5.0 goes first and takes 4.0; 0.1 takes 0.12; 0.0 takes 0.05.
    assert list(zip(pairs_t, pairs_c, strict=True)) == [(0, 0), (1, 1), (2, 2)]


def test_match_leaves_a_unit_unmatched_outside_the_caliper() -> None:
    pairs_t, pairs_c = _check_greedy([0.0, 3.0], [0.1, 10.0], caliper=0.5)
    assert (pairs_t, pairs_c) == ([0], [0])


def test_match_when_the_controls_run_out() -> None:
    # Four treated units at the same score, two controls: the first two (by index) get them.
    pairs_t, pairs_c = _check_greedy([1.0, 1.0, 1.0, 1.0], [1.0, 1.0], caliper=0.0)
    assert (pairs_t, pairs_c) == ([0, 1], [0, 1])
    # The next nearest control is taken once the nearest is used, if inside the caliper.
    pairs_t, pairs_c = _check_greedy([2.0, 1.0], [1.9, 0.5], caliper=1.0)
    assert (pairs_t, pairs_c) == ([0, 1], [0, 1])
    pairs_t, pairs_c = _check_greedy([2.0, 1.0], [1.9, 0.5], caliper=0.2)
    assert (pairs_t, pairs_c) == ([0], [0])


def test_match_breaks_ties_the_same_way_every_time() -> None:
    # Equally far below and above: the lower score.
    assert _check_greedy([1.0], [0.5, 1.5], caliper=1.0) == ([0], [0])
    assert _check_greedy([1.0], [1.5, 0.5], caliper=1.0) == ([0], [1])
    # Equal scores at or above the treated unit's: the earliest control.
    assert _check_greedy([1.0], [2.0, 1.0, 1.0], caliper=0.0) == ([0], [1])


def test_match_with_nothing_to_match() -> None:
    assert [part.tolist() for part in match([], [1.0], 1.0)] == [[], []]
    assert [part.tolist() for part in match([1.0], [], 1.0)] == [[], []]
    assert [part.tolist() for part in match([1.0], [1.0], math.nan)] == [[], []]


@settings(max_examples=300, deadline=None)
@given(
    treated=st.lists(st.integers(-6, 6), max_size=25),
    control=st.lists(st.integers(-6, 6), max_size=25),
    caliper=st.sampled_from([0.0, 0.5, 1.0, 2.5, 100.0]),
)
def test_match_is_greedy_without_replacement(
    treated: list[int], control: list[int], caliper: float
) -> None:
    # Scores from a few values only: many ties, and the controls often run out.
    pairs_t, _ = _check_greedy(
        [value / 2 for value in treated], [value / 2 for value in control], caliper
    )
    assert len(pairs_t) <= min(len(treated), len(control))


def test_evaluate_matches_within_the_caliper_on_the_logit() -> None:
    units = synthetic(seed=8, served=400, pool=4000, effect=EFFECT)
    evaluation = evaluate(units, resamples=100)
    assert evaluation.caliper > 0
    assert evaluation.matched + evaluation.unmatched == evaluation.served == 400
    assert evaluation.pool == 4000


def test_the_caliper_is_a_fifth_of_the_pooled_standard_deviation() -> None:
    treated, control = np.array([0.0, 2.0]), np.array([1.0, 1.0, 4.0])
    pooled = math.sqrt((np.var(treated, ddof=1) + np.var(control, ddof=1)) / 2)
    assert caliper_width(treated, control) == pytest.approx(CALIPER_SD * pooled)


# --- Balance ---------------------------------------------------------------------------------


def test_standardized_differences() -> None:
    treated = np.array([[1.0, 3.0, 1.0, 2.0], [3.0, 3.0, 1.0, 2.0]])
    control = np.array([[0.0, 3.0, 0.0, 2.0], [2.0, 3.0, 0.0, 2.0], [1.0, 3.0, 0.0, 2.0]])
    smd = standardized_differences(treated, control)
    # (2 - 1) / sqrt((2 + 1) / 2)
    assert smd[0] == pytest.approx(1 / math.sqrt(1.5))
    # Constant and equal in both groups: 0.
    assert smd[1] == 0.0 and smd[3] == 0.0
    # Constant in each group but different: not divided by zero, and large.
    assert math.isfinite(smd[2]) and smd[2] > 1


# --- Degenerate input ------------------------------------------------------------------------


def _assert_nothing_matched(evaluation: Evaluation, reason: str) -> None:
    assert evaluation.reason == reason
    assert evaluation.matched == 0
    assert not evaluation.balanced
    assert len(evaluation.outcomes) == len(OUTCOMES)
    for result in evaluation.outcomes:
        assert not result.enough and result.pairs == 0
        assert result.difference is None and result.low is None and result.high is None
        assert not result.excludes_zero
    json.dumps(evaluation.to_json())


def test_nothing_at_all() -> None:
    _assert_nothing_matched(evaluate([]), REASON_NO_SERVED)


def test_nobody_served() -> None:
    evaluation = evaluate([_unit(False) for _ in range(50)])
    _assert_nothing_matched(evaluation, REASON_NO_SERVED)
    assert evaluation.pool == 50 and evaluation.served == 0


def test_no_comparison_pool() -> None:
    evaluation = evaluate([_unit(True) for _ in range(50)])
    _assert_nothing_matched(evaluation, REASON_NO_COMPARISON)
    assert evaluation.served == evaluation.unmatched == 50


def test_nothing_inside_the_caliper() -> None:
    # One of each, different ages: the caliper (from two single values) is 0.
    units = [_unit(True, numbers={"age": 1.0}), _unit(False, numbers={"age": 9.0})]
    evaluation = evaluate(units)
    _assert_nothing_matched(evaluation, REASON_NO_MATCHES)
    assert evaluation.unmatched == 1
    assert all(row.smd_after is None for row in evaluation.balance)
    assert evaluation.max_smd_after is None


def test_a_pool_smaller_than_the_served() -> None:
    units = [_unit(True, numbers={"age": float(age % 5)}) for age in range(60)]
    units += [_unit(False, numbers={"age": float(age % 5)}) for age in range(20)]
    evaluation = evaluate(units, resamples=100)
    assert evaluation.matched == 20 and evaluation.unmatched == 40
    assert evaluation.reason == ""
    assert all(not result.enough for result in evaluation.outcomes)  # 20 < MIN_PAIRS


def test_no_covariate_that_varies() -> None:
    # One county, one level, constant numbers, and covariates missing entirely: every score is
    # the same, and everyone can be matched to anyone.
    units = [_unit(index % 3 == 0, numbers={"age": 4.0}) for index in range(120)]
    units += [_unit(False, categories={}, numbers={}) for _ in range(10)]
    evaluation = evaluate(units, resamples=100)
    assert evaluation.matched == evaluation.served == 40
    assert evaluation.balanced and evaluation.max_smd_after is not None
    home = evaluation.outcome("returned_home")
    assert home.enough and home.difference == 0.0


def test_no_covariates_at_all() -> None:
    units = [_unit(index % 2 == 0, categories={}, numbers={}) for index in range(80)]
    evaluation = evaluate(units, resamples=100)
    assert evaluation.matched == 40 and evaluation.balance == ()
    assert evaluation.max_smd_after == 0.0 and evaluation.balanced


def test_outcomes_never_defined() -> None:
    units = [
        _unit(
            index % 4 == 0,
            numbers={"age": float(index % 7)},
            returned_home=None,
            days_in_care=None,
            reentered_12=None,
            reentered_24=None,
        )
        for index in range(200)
    ]
    evaluation = evaluate(units, resamples=100)
    assert evaluation.matched > MIN_PAIRS
    for result in evaluation.outcomes:
        assert not result.enough and result.pairs == 0
        assert result.naive_difference is None and result.served_value is None
    json.dumps(evaluation.to_json())


def test_a_level_that_separates_the_groups() -> None:
    units = [_unit(True, categories={"county": "door"}, numbers={}) for _ in range(40)]
    units += [_unit(False, categories={"county": "rock"}, numbers={}) for _ in range(40)]
    evaluation = evaluate(units, resamples=100)
    assert len(evaluation.balance) == 2
    for row in evaluation.balance:
        assert math.isfinite(row.smd_before) and abs(row.smd_before) > 1
    # No served child has a comparable one: nothing is matched.
    assert evaluation.reason == REASON_NO_MATCHES
    json.dumps(evaluation.to_json())


def test_progress_is_reported_up_to_100() -> None:
    seen: list[int] = []
    evaluate(
        synthetic(seed=9, served=100, pool=500, effect=EFFECT), resamples=50, progress=seen.append
    )
    assert seen == sorted(seen) and seen[-1] == 100 and 10 in seen and 40 in seen
    seen.clear()
    evaluate([], progress=seen.append)
    assert seen[-1] == 100


_levels = st.sampled_from(["", "a", "b", "c"])
_units = st.builds(
    Unit,
    treated=st.booleans(),
    categories=st.dictionaries(st.sampled_from(["county", "sex", "race"]), _levels, max_size=3),
    numbers=st.dictionaries(
        st.sampled_from(["age", "prior", "reason:neglect"]),
        st.one_of(
            st.integers(0, 17).map(float),
            st.floats(allow_nan=False, allow_infinity=False),
        ),
        max_size=3,
    ),
    returned_home=st.none() | st.booleans(),
    days_in_care=st.none() | st.integers(0, 5000),
    reentered_12=st.none() | st.booleans(),
    reentered_24=st.none() | st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(units=st.lists(_units, max_size=40), seed=st.integers(0, 2**32 - 1))
def test_any_small_input_is_evaluated(units: list[Unit], seed: int) -> None:
    evaluation = evaluate(units, seed=seed, resamples=50)
    assert evaluation.served == sum(unit.treated for unit in units)
    assert evaluation.pool == len(units) - evaluation.served
    assert evaluation.matched <= min(evaluation.served, evaluation.pool)
    assert evaluation.matched + evaluation.unmatched == evaluation.served
    assert (evaluation.reason == "") == (evaluation.matched > 0)
    data = evaluation.to_json()
    _plain(data)
    assert Evaluation.from_json(json.loads(json.dumps(data))) == evaluation


# --- Storing it ------------------------------------------------------------------------------


def test_to_json_round_trips_exactly(confounded: Evaluation) -> None:
    data = confounded.to_json()
    _plain(data)
    text = json.dumps(data, allow_nan=False)
    assert Evaluation.from_json(json.loads(text)) == confounded
    assert Evaluation.from_json(data) == confounded


def test_a_degenerate_evaluation_round_trips() -> None:
    evaluation = evaluate([_unit(True), _unit(False, numbers={"age_at_entry": 9.0})])
    data = evaluation.to_json()
    _plain(data)
    assert Evaluation.from_json(json.loads(json.dumps(data, allow_nan=False))) == evaluation
