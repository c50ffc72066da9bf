"""Small-count suppression for what state staff see."""

from __future__ import annotations

from pytest_django import Settings

from reporting.metrics import suppress


def test_small_counts_hidden_and_total_shown() -> None:
    # Two small cells: each hides the other, nothing more to hide.
    assert suppress({"a": 2, "b": 3, "c": 10, "d": 0}) == {
        "a": "<5",
        "b": "<5",
        "c": "10",
        "d": "0",
        "total": "15",
    }


def test_one_hidden_count_hides_the_next_smallest() -> None:
    # Only b is small: 22 - 12 - 7 would give it away, so 7 (the next smallest non-zero) is
    # hidden too, with "*" since it is not a small count.
    assert suppress({"a": 12, "b": 3, "c": 7, "d": 0}) == {
        "a": "12",
        "b": "<5",
        "c": "*",
        "d": "0",
        "total": "22",
    }


def test_complementary_tie_takes_the_first_in_the_row() -> None:
    assert suppress({"a": 1, "b": 8, "c": 8}) == {"a": "<5", "b": "*", "c": "8", "total": "17"}


def test_threshold_itself_is_shown_and_zeros_stay() -> None:
    assert suppress({"a": 5, "b": 0}) == {"a": "5", "b": "0", "total": "5"}
    assert suppress({"a": 0, "b": 0}) == {"a": "0", "b": "0", "total": "0"}


def test_small_total_is_hidden_too() -> None:
    # The only non-zero count equals the total: showing "3" would reveal it.
    assert suppress({"a": 3, "b": 0}) == {"a": "<5", "b": "0", "total": "<5"}


def test_threshold_from_argument_and_setting(settings: Settings) -> None:
    assert suppress({"a": 2, "b": 9, "c": 11}, threshold=3) == {
        "a": "<3",
        "b": "*",
        "c": "11",
        "total": "22",
    }
    settings.PSP_SMALL_COUNT_THRESHOLD = 11
    assert suppress({"a": 10, "b": 11, "c": 30}) == {
        "a": "<11",
        "b": "*",
        "c": "30",
        "total": "51",
    }
