"""Does it work? Children of served families against a matched comparison group from the
state's records, the way the Iowa Parent Partner evaluation did it (Chambers, Lint, Thompson,
Carlson and Graef, *Children and Youth Services Review* 104, 2019).

Who is compared.

- **Served**: the stays in out-of-home care (``RemovalEpisode``) that began in the state
  extract's period, of children whose family had a Parent Partner case open at some time
  during the stay, in the county's child-welfare programs.
- **Comparison pool**: the state extract's episodes (``ComparisonEpisode``) that began in the
  same period in the same counties, less those that are the served children's own: the
  extract holds every child in care, served or not, and carries no name, so an extract
  episode with the same county, removal date and age at entry as a served stay (and the
  same sex when both record it) is taken to be that stay and left out of the pool.

What they are matched on, the covariates both records hold: county, age at entry, sex, race
or ethnicity, the removal reasons, the first placement's setting and the earlier removals.
Our records hold the race or ethnicity of the family's first parent, the state's that of
the child: for most children the same, for some not (a limit the page states).

What is compared, as in the Iowa study and as of the extract's "data as of" day: whether
the child returned home (reunification) at discharge, the days in care of the stays that
ended, and whether a child who returned home was removed again within 12 and within 24
months (counted only for children followed that long).

The matching, the balance and the intervals are ``reporting.matching``'s. This module
gathers the two groups from the database; ``compare`` runs the lot for one county or
statewide.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.models import Case
from psp.models import Program, ProgramType
from referrals.models import (
    DischargeReason,
    OutOfHomeCareType,
    PlacementChange,
    RaceEthnicity,
    RemovalEpisode,
    RemovalReason,
    Sex,
)
from reporting import matching
from reporting.comparison import county_name
from reporting.models import (
    ComparisonEpisode,
    ComparisonExtract,
    ExtractStatus,
    OutcomeComparison,
    OutcomeStatus,
)

STATEWIDE = ""  # the county of the statewide comparison
REASONS = [reason.value for reason in RemovalReason]
MOST_PRIOR_REMOVALS = 3  # three or more earlier removals are counted alike
YEAR = 365
TWO_YEARS = 730


@dataclass(frozen=True)
class Episode:
    """One stay, from either record, as the comparison sees it."""

    treated: bool
    county: str
    age_at_entry: int
    sex: str  # "female", "male", "" (not recorded)
    race_ethnicity: str
    removal_reasons: tuple[str, ...]
    placement_setting: str
    prior_removals: int
    entry: datetime.date
    discharge: datetime.date | None
    discharge_reason: str
    next_entry: datetime.date | None  # the same child's next removal, if any

    def link(self) -> tuple[str, datetime.date, int]:
        return (self.county, self.entry, self.age_at_entry)

    def unit(
        self, as_of: datetime.date, *, by_county: bool, left_out: frozenset[str] = frozenset()
    ) -> matching.Unit:
        """The stay for the matching, its outcomes as of ``as_of``; matched on the county
        too when ``by_county`` (statewide), and not on the covariates ``left_out``."""
        discharged = self.discharge is not None and self.discharge <= as_of
        home = discharged and self.discharge_reason == DischargeReason.REUNIFICATION
        categories = {
            "county": self.county,
            "sex": self.sex,
            "race_ethnicity": self.race_ethnicity,
            "placement_setting": self.placement_setting,
        }
        if not by_county:
            left_out = left_out | {"county"}
        reasons = (
            {}
            if "removal_reasons" in left_out
            else {f"reason:{r}": float(r in self.removal_reasons) for r in REASONS}
        )
        return matching.Unit(
            treated=self.treated,
            categories={name: value for name, value in categories.items() if name not in left_out},
            numbers={
                "age_at_entry": float(self.age_at_entry),
                "prior_removals": float(min(self.prior_removals, MOST_PRIOR_REMOVALS)),
                **reasons,
            },
            returned_home=home if discharged else None,
            days_in_care=(self.discharge - self.entry).days
            if discharged and self.discharge
            else None,
            reentered_12=self._reentered(as_of, YEAR) if home else None,
            reentered_24=self._reentered(as_of, TWO_YEARS) if home else None,
        )

    def _reentered(self, as_of: datetime.date, days: int) -> bool | None:
        """Removed again within ``days`` of going home; None when not followed that long."""
        assert self.discharge is not None
        until = self.discharge + datetime.timedelta(days=days)
        if self.next_entry is not None and self.next_entry <= min(until, as_of):
            return True
        return False if until <= as_of else None


def program_counties() -> dict[str, list[int]]:
    """The counties of the child-welfare programs, by their Wisconsin names, with the
    programs of each (1 query)."""
    counties: dict[str, list[int]] = defaultdict(list)
    programs = Program.objects.filter(program_type=ProgramType.CHILD_WELFARE_PSP)
    for pk, county in programs.values_list("pk", "county"):
        name = county_name(county)
        if name is not None:
            counties[name].append(pk)
    return dict(counties)


def served(extract: ComparisonExtract, programs: dict[int, str]) -> list[Episode]:
    """The stays of children of served families in ``programs`` (pk -> county) that began in
    the extract's period (1 query, however many stays)."""
    case_during_stay = Case.objects.filter(
        family=OuterRef("child__family"),
        opened_on__lte=Coalesce(OuterRef("discharged_on"), extract.data_as_of),
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=OuterRef("removed_on")))
    earlier = (
        RemovalEpisode.objects.filter(
            child=OuterRef("child"), removed_on__lt=OuterRef("removed_on")
        )
        .order_by()
        .values("child")
        .annotate(count=Count("pk"))
        .values("count")
    )
    later = RemovalEpisode.objects.filter(
        child=OuterRef("child"), removed_on__gt=OuterRef("removed_on")
    ).order_by("removed_on")
    first_placement = PlacementChange.objects.filter(episode=OuterRef("pk")).order_by(
        "started_on", "pk"
    )
    rows = (
        RemovalEpisode.objects.filter(
            child__family__program__in=list(programs),
            removed_on__gte=extract.period_start,
            removed_on__lte=min(extract.period_end, extract.data_as_of),
            child__birth_date__isnull=False,
        )
        .filter(Exists(case_during_stay))
        .annotate(
            program_id=F("child__family__program_id"),
            prior=Coalesce(Subquery(earlier), 0),
            next_entry=Subquery(later.values("removed_on")[:1]),
            setting=Subquery(first_placement.values("setting")[:1]),
        )
        .values_list(
            "program_id",
            "removed_on",
            "discharged_on",
            "discharge_reason",
            "removal_reasons",
            "child__birth_date",
            "child__sex",
            "child__family__race_ethnicity",
            "prior",
            "next_entry",
            "setting",
        )
    )
    episodes = []
    for (  # birth dates are not null: filtered above
        program_id,
        removed_on,
        discharged_on,
        discharge_reason,
        reasons,
        birth_date,
        sex,
        race,
        prior,
        next_entry,
        setting,
    ) in rows:
        episodes.append(
            Episode(
                treated=True,
                county=programs[program_id],
                age_at_entry=_age(birth_date, removed_on) if birth_date else 0,
                sex=sex,
                race_ethnicity=race,
                removal_reasons=tuple(reasons or ()),
                placement_setting=setting or "",
                prior_removals=prior,
                entry=removed_on,
                discharge=discharged_on,
                discharge_reason=discharge_reason,
                next_entry=next_entry if next_entry and next_entry <= extract.data_as_of else None,
            )
        )
    return episodes


def pool(extract: ComparisonExtract, counties: Iterable[str]) -> list[Episode]:
    """The extract's episodes that began in its period in ``counties``, each with the same
    child's next removal in the extract (1 query)."""
    rows = ComparisonEpisode.objects.filter(extract=extract, county__in=list(counties)).values_list(
        "child_id",
        "county",
        "age_at_entry",
        "sex",
        "race_ethnicity",
        "removal_reasons",
        "placement_setting",
        "prior_removals",
        "entry_date",
        "discharge_date",
        "discharge_reason",
    )
    by_child: dict[str, list[tuple]] = defaultdict(list)
    for row in rows.iterator(chunk_size=5000):
        by_child[row[0]].append(row)
    episodes = []
    for stays in by_child.values():
        stays.sort(key=lambda row: row[8])
        for index, row in enumerate(stays):
            (_child, county, age, sex, race, reasons, setting, prior, entry, discharge, why) = row
            if not extract.period_start <= entry <= extract.period_end:
                continue  # a later removal: it counts only as the earlier stay's re-entry
            following = stays[index + 1][8] if index + 1 < len(stays) else None
            episodes.append(
                Episode(
                    treated=False,
                    county=county,
                    age_at_entry=age,
                    sex=sex if sex in ("female", "male") else "",
                    race_ethnicity=race,
                    removal_reasons=tuple(reasons or ()),
                    placement_setting=setting,
                    prior_removals=prior,
                    entry=entry,
                    discharge=discharge,
                    discharge_reason=why,
                    next_entry=following,
                )
            )
    return episodes


def without_the_served(pool: list[Episode], served: list[Episode]) -> tuple[list[Episode], int]:
    """The pool less the extract's own copies of the served stays (same county, removal day
    and age at entry, and the same sex when both record it), and how many were left out."""
    served_by_link: dict[tuple[str, datetime.date, int], list[str]] = defaultdict(list)
    for stay in served:
        served_by_link[stay.link()].append(stay.sex)
    kept, left_out = [], 0
    for stay in pool:
        sexes = served_by_link.get(stay.link())
        if sexes is not None:
            match = next((s for s in sexes if not s or not stay.sex or s == stay.sex), None)
            if match is not None:
                sexes.remove(match)  # one extract stay for each served stay
                left_out += 1
                continue
        kept.append(stay)
    return kept, left_out


@dataclass(frozen=True)
class Comparison:
    county: str  # STATEWIDE: every county together
    served: int  # served stays found in our records
    pool: int  # the extract's stays, the served ones' copies left out
    linked: int  # the extract's stays taken to be served ones
    evaluation: matching.Evaluation
    left_out: list[str]  # covariates too seldom recorded in our records to match on


def compare(
    extract: ComparisonExtract,
    county: str = STATEWIDE,
    *,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """The served stays of ``county`` (STATEWIDE: every program county) against their
    matched comparison group from ``extract``."""
    counties = program_counties()
    chosen = list(counties) if county == STATEWIDE else [county]
    programs = {pk: name for name in chosen for pk in counties.get(name, [])}
    served_stays = served(extract, programs)
    pool_stays, linked = without_the_served(pool(extract, chosen), served_stays)
    as_of = extract.data_as_of
    by_county = county == STATEWIDE  # within one county there is no county to match on
    left_out = seldom_recorded(served_stays)
    units = [
        stay.unit(as_of, by_county=by_county, left_out=left_out)
        for stay in served_stays + pool_stays
    ]
    evaluation = matching.evaluate(units, seed=extract.pk, progress=progress)
    return Comparison(
        county=county,
        served=len(served_stays),
        pool=len(pool_stays),
        linked=linked,
        evaluation=evaluation,
        left_out=sorted(left_out),
    )


# A covariate our records hold for fewer served stays than this is not matched on: the
# state's extract records it for (nearly) every child, so "not recorded" would tell the
# served apart from everybody else and leave them nobody to be matched with.
RECORDED_ENOUGH = 0.9
OPTIONAL_COVARIATES: dict[str, Callable[[Episode], bool]] = {
    "sex": lambda stay: bool(stay.sex),
    "race_ethnicity": lambda stay: bool(stay.race_ethnicity),
    "removal_reasons": lambda stay: bool(stay.removal_reasons),
}


def seldom_recorded(stays: list[Episode]) -> frozenset[str]:
    """The optional covariates recorded for fewer than ``RECORDED_ENOUGH`` of ``stays``."""
    if not stays:
        return frozenset()
    return frozenset(
        name
        for name, recorded in OPTIONAL_COVARIATES.items()
        if sum(map(recorded, stays)) < RECORDED_ENOUGH * len(stays)
    )


def _age(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- What the page and the report print -----------------------------------------------------

# An outcome's label, how it is counted, and which way is better (+1: more is better).
OUTCOMES: dict[str, tuple[Promise, str, int]] = {
    "returned_home": (
        gettext_lazy("Returned home (reunified) when leaving care"),
        matching.PROPORTION,
        +1,
    ),
    "days_in_care": (
        gettext_lazy("Days in out-of-home care, of the stays that ended"),
        matching.MEAN,
        -1,
    ),
    "reentered_12": (
        gettext_lazy("Removed again within 12 months of going home"),
        matching.PROPORTION,
        -1,
    ),
    "reentered_24": (
        gettext_lazy("Removed again within 24 months of going home"),
        matching.PROPORTION,
        -1,
    ),
}
# State staff see no figure of a county with fewer served stays than this: a handful of
# children is too few to compare, and too few not to be recognised.
SMALLEST_SHOWN = 10


@dataclass(frozen=True)
class OutcomeRow:
    label: str
    pairs: int
    enough: bool
    served: str
    comparison: str
    difference: str
    interval: str
    naive: str
    verdict: str  # "better", "worse", "unclear", "too_few"


@dataclass(frozen=True)
class BalanceRow:
    label: str
    before: str
    after: str
    balanced: bool


def _signed(value: float, kind: str) -> str:
    if kind == matching.PROPORTION:
        return _("%(value)s points") % {"value": f"{value * 100:+.1f}".replace("-", "−")}
    return _("%(value)s days") % {"value": f"{value:+.0f}".replace("-", "−")}


def _plain(value: float, kind: str) -> str:
    if kind == matching.PROPORTION:
        return f"{value * 100:.1f}%"
    return _("%(value)s days") % {"value": f"{value:.0f}"}


def outcome_rows(evaluation: matching.Evaluation) -> list[OutcomeRow]:
    rows = []
    for result in evaluation.outcomes:
        label, kind, better = OUTCOMES.get(result.name, (result.name, result.kind, +1))
        naive = (
            _signed(result.naive_difference, kind) if result.naive_difference is not None else "–"
        )
        if (
            not result.enough
            or result.served_value is None
            or result.comparison_value is None
            or result.difference is None
            or result.low is None
            or result.high is None
        ):
            rows.append(
                OutcomeRow(str(label), result.pairs, False, "", "", "", "", naive, "too_few")
            )
            continue
        if result.excludes_zero:
            verdict = "better" if (result.difference > 0) == (better > 0) else "worse"
        else:
            verdict = "unclear"
        rows.append(
            OutcomeRow(
                label=str(label),
                pairs=result.pairs,
                enough=True,
                served=_plain(result.served_value, kind),
                comparison=_plain(result.comparison_value, kind),
                difference=_signed(result.difference, kind),
                interval=_("%(low)s to %(high)s")
                % {"low": _signed(result.low, kind), "high": _signed(result.high, kind)},
                naive=naive,
                verdict=verdict,
            )
        )
    return rows


def covariate_label(covariate: str, level: str, *, is_number: bool = False) -> str:
    """``age_at_entry``, ``reason:neglect``, (``sex``, ``female``)... in the reader's words."""
    if covariate.startswith("reason:"):
        code = covariate.removeprefix("reason:")
        reason = dict(RemovalReason.choices).get(code, code)
        return _("Removed for: %(reason)s") % {"reason": reason}
    numbers = {
        "age_at_entry": _("Age at removal (years)"),
        "prior_removals": _("Earlier removals"),
    }
    if covariate in numbers or is_number:
        return str(numbers.get(covariate, covariate))
    names = {
        "county": (_("County"), {}),
        "sex": (_("Sex"), dict(Sex.choices)),
        "race_ethnicity": (_("Race or ethnicity"), dict(RaceEthnicity.choices)),
        "placement_setting": (_("First placement"), dict(OutOfHomeCareType.choices)),
    }
    name, levels = names.get(covariate, (covariate, {}))
    shown = levels.get(level, level) if level else _("Not recorded")
    return _("%(covariate)s: %(level)s") % {"covariate": name, "level": shown}


def balance_rows(evaluation: matching.Evaluation) -> list[BalanceRow]:
    def shown(value: float | None) -> str:
        if value is None:
            return "–"
        return f"{0.0 if abs(value) < 0.005 else value:.2f}".replace("-", "−")  # never minus zero

    return [
        BalanceRow(
            label=covariate_label(row.covariate, row.level, is_number=row.is_number),
            before=shown(row.smd_before),
            after=shown(row.smd_after),
            balanced=row.smd_after is not None and abs(row.smd_after) < matching.BALANCE_BAR,
        )
        for row in evaluation.balance
    ]


@dataclass(frozen=True)
class ForReport:
    """The comparison a quarterly report prints: its scope's latest, as the page shows it."""

    comparison: OutcomeComparison
    extract: ComparisonExtract
    evaluation: matching.Evaluation
    rows: list[OutcomeRow]
    too_few_to_show: bool
    left_out: str


def for_report(program: Program | None, *, suppressed: bool) -> ForReport | None:
    """The latest comparison of ``program``'s county (None: statewide) from the extract in use,
    or None when there is none yet (2 queries). With ``suppressed`` (what state staff read),
    a county with fewer than ``SMALLEST_SHOWN`` served stays shows no figure."""
    county = STATEWIDE if program is None else county_name(program.county)
    if county is None:
        return None
    comparison = (
        OutcomeComparison.objects.filter(
            extract__status=ExtractStatus.IN_USE, county=county, status=OutcomeStatus.DONE
        )
        .select_related("extract")
        .first()
    )
    if comparison is None or not comparison.result:
        return None
    evaluation = matching.Evaluation.from_json(comparison.result)
    return ForReport(
        comparison=comparison,
        extract=comparison.extract,
        evaluation=evaluation,
        rows=outcome_rows(evaluation),
        too_few_to_show=suppressed and county != STATEWIDE and comparison.served < SMALLEST_SHOWN,
        left_out=left_out_label(comparison.left_out),
    )


LEFT_OUT_LABELS = {
    "sex": gettext_lazy("sex"),
    "race_ethnicity": gettext_lazy("race or ethnicity"),
    "removal_reasons": gettext_lazy("why the child was removed"),
}


def left_out_label(names: list[str]) -> str:
    """The covariates not matched on, in words, or "" when none."""
    return ", ".join(str(LEFT_OUT_LABELS.get(name, name)) for name in names)


def naive_summary(rows: list[OutcomeRow]) -> str:
    """The unmatched differences of the outcomes with enough pairs, in one line."""
    return "; ".join(
        _("%(outcome)s: %(difference)s") % {"outcome": row.label, "difference": row.naive}
        for row in rows
        if row.enough
    )
