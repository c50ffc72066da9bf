"""Small-count suppression of the race and ethnicity tables, for every report state staff read.

The tables. For a quarter, the families served are counted by program (a row) and race or
ethnicity (a column): a ``Table``. A program's report shows its row, and its total (the
families served, which the report prints anyway); the statewide report shows every row (the
table by program), the statewide row (each column's sum, the statewide race and ethnicity
table) and the statewide total. State staff download all of them, so ``protect`` chooses the
hidden cells for all of them at once, and every report of the quarter hides the same cells.
The same counts always give the same cells, so a report made again hides the same cells.

What the reader can work out. Someone holding every report of the quarter knows that each
row's cells add up to its total, that a column's cells (one per program) add up to the
statewide cell, that the statewide cells add up to the statewide total, and that no count is
negative. A hidden cell is shown as ``*``, whatever its value: a "<5" beside a "*" would say
which hidden cells are small and which are not (with a total of 6, "<5" and "*" can only be 1
and 5). ``ranges`` finds, with a linear program (HiGHS, through SciPy), the smallest and
largest value each hidden cell can take given all of that.

Safe means: every hidden cell keeps at least ``threshold`` possible values (largest minus
smallest at least ``threshold - 1``, as many as a count hidden among 0 to 4), or, in a row
whose total is smaller than that, every value from 0 to the total (a program that served
three families publishes that number; the most it can hide is how the three divide).

How the cells are chosen (``protect``):

1. Primary: every count from 1 to ``threshold - 1``, in every row, the statewide row too.
   Zeros are shown, unless hidden to protect another cell.
2. Complementary: the first hidden cell (rows in order, the statewide row last) that is not
   yet safe gets a *rectangle*: another row and another column whose four cells can move by
   +d and -d without changing any total. The rectangle chosen is wide enough for all four
   cells if one is, else wide enough for the cell, else the widest; then the one hiding the
   least (a cell already hidden costs nothing), the fewest new cells, the first in order.
   Repeat until every hidden cell is safe. Each round hides at least one more cell, and with
   every cell hidden each one is safe by the definition above, so it ends.
3. A cell's check starts with its rectangles, whose width proves a range (a rectangle that
   moves by -l to +u shows l + u + 1 values); the linear program runs only for the cells no
   rectangle proves safe. Hiding more only widens ranges, so a cell found safe stays safe.

Which counts. The table is made once per quarter, from every program's filed counts, when the
statewide quarter closes (``reporting.filing``), so every report state staff read for the
quarter shows the same figures with the same cells hidden; before that their reports leave
the table out. Reports made before quarters closed (some with "<5" beside "*") are withdrawn
(reporting migration 0005).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from django.conf import settings
from scipy.optimize import linprog

HIDDEN = "*"
# The statewide row's key; programs' rows have string keys (their slugs).
STATEWIDE = None

RowKey = str | None
Cell = tuple[RowKey, str]


def default_threshold() -> int:
    """The smallest count shown as it is (setting ``PSP_SMALL_COUNT_THRESHOLD``, 5 unset)."""
    return int(getattr(settings, "PSP_SMALL_COUNT_THRESHOLD", 5))


@dataclass(frozen=True)
class Table:
    """Counts by row (program) and column (category), in the order the reports print them,
    with the statewide row (the columns' sums) after the programs' rows."""

    columns: tuple[str, ...]
    program_rows: tuple[str, ...]
    counts: Mapping[Cell, int] = field(repr=False)

    @classmethod
    def from_rows(cls, rows: Mapping[str, Mapping[str, int]], columns: Sequence[str]) -> Table:
        counts: dict[Cell, int] = {}
        for row, values in rows.items():
            for column in columns:
                counts[(row, column)] = int(values.get(column, 0))
        for column in columns:
            counts[(STATEWIDE, column)] = sum(counts[(row, column)] for row in rows)
        return cls(columns=tuple(columns), program_rows=tuple(rows), counts=counts)

    @property
    def rows(self) -> tuple[RowKey, ...]:
        return (*self.program_rows, STATEWIDE)

    def cells(self) -> list[Cell]:
        """Every cell, rows in order and the statewide row last."""
        return [(row, column) for row in self.rows for column in self.columns]

    def total(self, row: RowKey) -> int:
        return self._totals[row]

    @cached_property
    def _totals(self) -> dict[RowKey, int]:
        return {
            row: sum(self.counts[(row, column)] for column in self.columns) for row in self.rows
        }


def shown_row(table: Table, hidden: Iterable[Cell], row: RowKey) -> dict[str, str]:
    """Row ``row`` as a report prints it: each column's count or ``*``, then ``"total"``,
    always shown (it is the families served, printed elsewhere in the report)."""
    hidden = set(hidden)
    shown = {
        column: HIDDEN if (row, column) in hidden else str(table.counts[(row, column)])
        for column in table.columns
    }
    shown["total"] = str(table.total(row))
    return shown


# --- What the reader can work out --------------------------------------------------------


class _Attacker:
    """The linear program over every figure the reports publish, for one set of hidden cells:
    each hidden cell's smallest and largest possible value."""

    def __init__(self, table: Table, hidden: Iterable[Cell]) -> None:
        self.table = table
        hidden = set(hidden)
        self.variables = [cell for cell in table.cells() if cell in hidden]
        self.index = {cell: position for position, cell in enumerate(self.variables)}
        equations: list[tuple[dict[int, float], float]] = []
        for row in table.rows:  # a row's cells add up to its (published) total
            cells = [(row, column) for column in table.columns]
            equations.append(self._equation(cells, [], known=table.total(row)))
        for column in table.columns:  # a column's program cells add up to its statewide cell
            cells = [(row, column) for row in table.program_rows]
            equations.append(self._equation(cells, [(STATEWIDE, column)], known=0))
        equations = [(terms, value) for terms, value in equations if terms]
        self.matrix = np.zeros((len(equations), len(self.variables)))
        self.values = np.zeros(len(equations))
        for number, (terms, value) in enumerate(equations):
            for position, coefficient in terms.items():
                self.matrix[number, position] = coefficient
            self.values[number] = value

    def _equation(
        self, plus: list[Cell], minus: list[Cell], *, known: int
    ) -> tuple[dict[int, float], float]:
        """sum(plus) - sum(minus) = known, as the hidden cells' coefficients and the value
        their part must have once the shown cells are moved to the right."""
        terms: dict[int, float] = {}
        value = known
        for sign, cells in ((1, plus), (-1, minus)):
            for cell in cells:
                if cell in self.index:
                    terms[self.index[cell]] = float(sign)
                else:
                    value -= sign * self.table.counts[cell]
        return terms, float(value)

    def range(self, cell: Cell) -> tuple[int, int]:
        position = self.index[cell]
        objective = np.zeros(len(self.variables))
        ends = []
        for sign in (1.0, -1.0):
            objective[position] = sign
            result = linprog(
                objective,
                A_eq=self.matrix,
                b_eq=self.values,
                bounds=(0, None),
                method="highs",
            )
            if result.status != 0 or result.fun is None:  # the true counts always fit
                raise RuntimeError(f"The suppression check failed: {result.message}")
            ends.append(sign * result.fun)
        # The constraint matrix is a bipartite incidence matrix, so the ends are integers.
        return round(ends[0]), round(ends[1])


def ranges(table: Table, hidden: Iterable[Cell]) -> dict[Cell, tuple[int, int]]:
    """Every hidden cell's smallest and largest value given everything the quarter's reports
    publish with ``hidden`` hidden."""
    attacker = _Attacker(table, hidden)
    return {cell: attacker.range(cell) for cell in attacker.variables}


def required_width(table: Table, cell: Cell, threshold: int) -> int:
    """How far apart a hidden cell's smallest and largest values must be."""
    return min(threshold - 1, table.total(cell[0]))


# --- Choosing the hidden cells -----------------------------------------------------------


@dataclass(frozen=True)
class _Rectangle:
    width: int
    corners: tuple[Cell, Cell, Cell]  # the three besides the cell being protected


def _rectangles(table: Table, cell: Cell) -> Iterable[_Rectangle]:
    """The rectangles through ``cell``: with another row and another column, the four cells
    that can move by +d and -d keeping every row, column and statewide total."""
    row, column = cell
    # A row with no families has only zeros, which cannot move.
    for other_row in [key for key in table.rows if key != row and table.total(key) > 0]:
        for other_column in table.columns:
            if other_column == column:
                continue
            beside = (row, other_column)  # same row: moves the other way
            below = (other_row, column)  # same column
            across = (other_row, other_column)
            # Between two programs' rows a column's move is undone in the other row (below
            # moves the other way); against the statewide row it is repeated there (the
            # statewide cell is the column's sum, so below moves the same way).
            if STATEWIDE in (row, other_row):
                up, down = (cell, below), (beside, across)
            else:
                up, down = (cell, across), (beside, below)
            counts = table.counts
            width = min(counts[c] for c in up) + min(counts[c] for c in down)
            yield _Rectangle(width=width, corners=(beside, below, across))


def protect(table: Table, *, threshold: int | None = None) -> frozenset[Cell]:
    """The cells to hide in every report of the quarter (see the module's docstring)."""
    if threshold is None:
        threshold = default_threshold()
    counts = table.counts
    order = {cell: position for position, cell in enumerate(table.cells())}
    hidden = {cell for cell in table.cells() if 0 < counts[cell] < threshold}
    safe: set[Cell] = set()

    def need(cell: Cell) -> int:
        return required_width(table, cell, threshold)

    def proved_by_a_rectangle(cell: Cell) -> bool:
        return any(
            rectangle.width >= need(cell)
            for rectangle in _rectangles(table, cell)
            if all(corner in hidden for corner in rectangle.corners)
        )

    def first_unsafe() -> Cell | None:
        attacker: _Attacker | None = None
        for cell in sorted(hidden - safe, key=order.__getitem__):
            if proved_by_a_rectangle(cell):
                safe.add(cell)
                continue
            attacker = attacker or _Attacker(table, hidden)
            low, high = attacker.range(cell)
            if high - low >= need(cell):
                safe.add(cell)
                continue
            return cell
        return None

    while (cell := first_unsafe()) is not None:
        best: tuple[tuple[int, ...], list[Cell]] | None = None
        for rectangle in _rectangles(table, cell):
            new = [corner for corner in rectangle.corners if corner not in hidden]
            if not new:
                continue
            wide_for_all = rectangle.width >= max(
                need(corner) for corner in (cell, *rectangle.corners)
            )
            wide_for_cell = rectangle.width >= need(cell)
            rank = 0 if wide_for_all else 1 if wide_for_cell else 2
            key = (
                rank,
                -rectangle.width if rank == 2 else 0,
                sum(counts[corner] for corner in new),
                len(new),
                *sorted(order[corner] for corner in new),
            )
            if best is None or key < best[0]:
                best = (key, new)
        if best is not None:
            hidden.update(best[1])
            continue
        # Every rectangle through the cell is hidden already: hide every cell that can move,
        # which makes each one safe (see the module's docstring).
        everything = {c for c in table.cells() if table.total(c[0]) > 0}
        if everything <= hidden:
            raise RuntimeError(f"Suppression could not protect {cell}")  # cannot happen
        hidden |= everything
    return frozenset(hidden)


def suppress(counts: Mapping[str, int], *, threshold: int | None = None) -> dict[str, str]:
    """One table on its own, its total published: ``counts`` with the cells to hide shown as
    ``*``, plus ``"total"``."""
    table = Table.from_rows({"": counts}, list(counts))
    return shown_row(table, protect(table, threshold=threshold), "")
