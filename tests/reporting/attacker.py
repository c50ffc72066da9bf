"""The suppression tests' attacker: what one reader can work out from everything they hold.

A reader holding some reports of a quarter writes every printed figure down, with the sums the
reports state (a row's cells add up to its total, a program's families served is that total,
a column of the table by program adds up to the statewide cell, the statewide cells to the
statewide total). A hidden figure is a variable, bounded by what its mark says (``*``: any
count; the marks of the old reports, ``<5`` and ``*``, said 1 to 4 and 5 or more). For each
hidden figure a linear program (HiGHS, through SciPy) finds its smallest and largest value.

Written apart from ``reporting.suppression``, which it checks: it knows only the reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

Figure = tuple[str, ...]  # ("race", "door", "white"), ("served", "statewide")...
STATEWIDE = "statewide"

# What each mark tells: the smallest and largest value a figure printed so can have.
MARKS: dict[str, tuple[int, int | None]] = {"*": (0, None)}
OLD_MARKS: dict[str, tuple[int, int | None]] = {"<5": (1, 4), "*": (5, None)}


@dataclass
class Holdings:
    """Every figure a reader holds (as printed) and the sums that tie them together."""

    figures: dict[Figure, str] = field(default_factory=dict)
    sums: set[tuple[Figure, tuple[Figure, ...]]] = field(default_factory=set)

    def add(self, figure: Figure, printed: str) -> None:
        """One printed figure; printed twice, the one that gives more away counts."""
        before = self.figures.get(figure)
        if before is not None and before.isdigit():
            assert printed in (before, *MARKS, *OLD_MARKS), f"{figure}: {before} and {printed}"
            return
        self.figures[figure] = printed

    def add_sum(self, total: Figure, parts: Iterable[Figure]) -> None:
        self.sums.add((total, tuple(parts)))

    def __or__(self, other: Holdings) -> Holdings:
        together = Holdings(dict(self.figures), set(self.sums))
        for figure, printed in other.figures.items():
            together.add(figure, printed)
        together.sums |= other.sums
        return together


def program_report(program: str, row: Mapping[str, str], served: str) -> Holdings:
    """A program's report: its race and ethnicity row, its total and its families served."""
    held = Holdings()
    for code, printed in row.items():
        if code != "total":
            held.add(("race", program, code), printed)
    held.add(("served", program), served)
    if "total" in row:
        held.add(("served", program), row["total"])
    held.add_sum(("served", program), [("race", program, code) for code in row if code != "total"])
    return held


def statewide_report(
    by_program: Mapping[str, Mapping[str, str]], statewide: Mapping[str, str], served: str
) -> Holdings:
    """The statewide report: the table by program (rows with their totals), the statewide
    row and total, the families served."""
    held = program_report(STATEWIDE, statewide, served)
    codes = [code for code in statewide if code != "total"]
    for program, row in by_program.items():
        held |= program_report(program, row, row["total"])
    for code in codes:
        held.add_sum(("race", STATEWIDE, code), [("race", program, code) for program in by_program])
    held.add_sum(("served", STATEWIDE), [("served", program) for program in by_program])
    return held


def intervals(
    held: Holdings, marks: Mapping[str, tuple[int, int | None]] = MARKS
) -> dict[Figure, tuple[int, int]]:
    """Each hidden figure's smallest and largest value consistent with everything held."""
    hidden = sorted(figure for figure, printed in held.figures.items() if not printed.isdigit())
    index = {figure: position for position, figure in enumerate(hidden)}
    rows, values = [], []
    for total, parts in sorted(held.sums):
        coefficients = np.zeros(len(hidden))
        known = 0
        for sign, figures in ((1, parts), (-1, (total,))):
            for figure in figures:
                if figure in index:
                    coefficients[index[figure]] += sign
                else:
                    known += sign * int(held.figures[figure])
        if coefficients.any():
            rows.append(coefficients)
            values.append(-known)
        else:
            assert known == 0, f"the reports contradict each other about {total}"
    bounds = [marks[held.figures[figure]] for figure in hidden]
    found = {}
    for figure in hidden:
        ends = []
        for sign in (1, -1):
            objective = np.zeros(len(hidden))
            objective[index[figure]] = sign
            result = linprog(
                objective,
                A_eq=np.array(rows) if rows else None,
                b_eq=np.array(values) if rows else None,
                bounds=bounds,
                method="highs",
            )
            assert result.status == 0, result.message
            assert result.fun is not None  # solved (status 0)
            ends.append(sign * result.fun)
        found[figure] = (round(ends[0]), round(ends[1]))
    return found
