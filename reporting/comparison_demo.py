"""The demo's state comparison extract (``seed_demo``): a synthetic file of the stays in
out-of-home care in the demo counties, built around the demo's served stays so that the
outcomes page (``reporting.outcomes``) has something to compare, with a known effect and a
confounder:

- **Copies**: the served stays themselves, as the state's records hold every child in care;
  the outcomes comparison must find them and leave them out of the pool.
- **Look-alikes**: for each served stay, children alike in every covariate (removed some
  days apart), whose chance of going home is the served children's of the same age group
  **less ``EFFECT``**: being served raises it by exactly that much, the known effect.
- **Others**: teenagers removed for their own behaviour and placed in group homes or
  residential care, who go home far less often and whose families are seldom served: the
  confounder. Compared without matching, the served look better by much more than
  ``EFFECT``; matched, by about ``EFFECT``.

The file goes through the import as an upload would (checked row by row, then put in use by
a state staff member) and the comparison is made at once. At most ``MOST_ROWS`` rows, the
size of a statewide extract (the benchmark's 50,000).
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import uuid
from collections import defaultdict

from django.core.files.base import ContentFile
from django.utils import timezone

from psp.demo import DemoContext
from psp.models import User
from referrals.models import DischargeReason, RemovalReason
from reporting import outcomes, tasks
from reporting.comparison import COLUMNS
from reporting.comparison_services import STORED_PREFIX
from reporting.models import ComparisonExtract, ExtractStatus
from reporting.quarters import Quarter

EFFECT = 0.10  # served children go home this much more often, in every age group
LOOK_ALIKES = 2  # per served stay
OTHERS = 1.0  # per served stay
MOST_ROWS = 50_000
STATE_USER = "dcf-state"


def period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From the first day of last year to the end of the quarter before the last one that
    ended: the demo's history, with half a year at least to see what became of each stay."""
    return datetime.date(today.year - 1, 1, 1), Quarter.last_completed(today).previous().end


def _age_group(age: int) -> int:
    return 0 if age < 6 else 1 if age < 13 else 2


def rows(
    served: list[outcomes.Episode], *, rng: random.Random, as_of: datetime.date
) -> list[dict[str, str]]:
    """The extract's rows for ``served`` (the demo's served stays)."""
    home: dict[int, list[bool]] = defaultdict(list)
    for stay in served:
        if stay.discharge is not None and stay.discharge <= as_of:
            home[_age_group(stay.age_at_entry)].append(
                stay.discharge_reason == DischargeReason.REUNIFICATION
            )
    chance = {
        group: max(0.02, min(0.98, sum(went) / len(went) - EFFECT)) for group, went in home.items()
    }
    per_stay = 1 + LOOK_ALIKES + OTHERS
    templates = (
        served
        if len(served) * per_stay <= MOST_ROWS
        else rng.sample(served, int(MOST_ROWS // per_stay))
    )
    made: list[dict[str, str]] = []

    def add(stay: outcomes.Episode, **changes: object) -> None:
        number = len(made) + 1
        row = {
            "episode_id": f"DEMO-E{number:06d}",
            "child_id": f"DEMO-C{number:06d}",
            "county": stay.county,
            "age_at_entry": str(stay.age_at_entry),
            "sex": stay.sex or "unknown",
            "race_ethnicity": stay.race_ethnicity,
            "removal_reasons": ";".join(stay.removal_reasons) or RemovalReason.NEGLECT,
            "placement_setting": stay.placement_setting or "foster",
            "prior_removals": str(stay.prior_removals),
            "entry_date": stay.entry.isoformat(),
            "discharge_date": "",
            "discharge_reason": "",
        }
        row.update({key: str(value) for key, value in changes.items()})
        made.append(row)

    start, end = period(as_of)
    # A look-alike must not look like a served stay's own record (same county, day and age),
    # or the comparison would take it for one and leave it out.
    links = {stay.link() for stay in served}

    def apart(stay: outcomes.Episode) -> datetime.date:
        for _ in range(60):
            entry = min(end, max(start, stay.entry + datetime.timedelta(days=rng.randint(-30, 30))))
            if (stay.county, entry, stay.age_at_entry) not in links:
                break
        links.add((stay.county, entry, stay.age_at_entry))
        return entry

    for stay in templates:
        # The state's own record of the served stay, as it happened.
        discharged = stay.discharge is not None and stay.discharge <= as_of
        add(
            stay,
            discharge_date=stay.discharge.isoformat() if discharged and stay.discharge else "",
            discharge_reason=stay.discharge_reason if discharged else "",
        )
        for _ in range(LOOK_ALIKES):
            entry = apart(stay)
            outcome = _outcome(rng, entry, as_of, chance.get(_age_group(stay.age_at_entry), 0.5))
            add(stay, entry_date=entry.isoformat(), **outcome)
        if rng.random() < OTHERS:
            age = rng.randint(13, 17)
            for _ in range(60):
                entry = start + datetime.timedelta(days=rng.randrange((end - start).days + 1))
                if (stay.county, entry, age) not in links:
                    break
            links.add((stay.county, entry, age))
            outcome = _outcome(rng, entry, as_of, 0.2)
            add(
                stay,
                age_at_entry=str(age),
                removal_reasons=";".join(
                    [RemovalReason.CHILD_BEHAVIOUR]
                    + ([RemovalReason.CHILD_DRUG_ABUSE] if rng.random() < 0.4 else [])
                ),
                placement_setting=rng.choice(["group", "residential"]),
                prior_removals=str(rng.choice([0, 1, 1, 2])),
                entry_date=entry.isoformat(),
                **outcome,
            )
    return made


def _outcome(
    rng: random.Random, entry: datetime.date, as_of: datetime.date, home_chance: float
) -> dict[str, str]:
    left = entry + datetime.timedelta(days=rng.randint(60, 420))
    if left > as_of:
        return {"discharge_date": "", "discharge_reason": ""}
    reason = (
        DischargeReason.REUNIFICATION
        if rng.random() < home_chance
        else rng.choice([DischargeReason.GUARDIANSHIP, DischargeReason.RELATIVE_CUSTODY])
    )
    return {"discharge_date": left.isoformat(), "discharge_reason": reason}


def seed(context: DemoContext) -> ComparisonExtract | None:
    """Write, check and put in use the demo's extract, then compare the outcomes."""
    today = context.today
    start, end = period(today)
    probe = ComparisonExtract(period_start=start, period_end=end, data_as_of=today)
    counties = outcomes.program_counties()
    programs = {pk: county for county, pks in counties.items() for pk in pks}
    served = outcomes.served(probe, programs)
    if not served:
        return None
    rng = random.Random(f"{context.scale}:comparison-extract")  # noqa: S311 (demo)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(served, rng=rng, as_of=today))
    stored = tasks.extract_storage().save(
        f"{STORED_PREFIX}{uuid.uuid4().hex}.csv", ContentFile(text.getvalue().encode())
    )
    extract = ComparisonExtract.objects.create(
        uploaded_by=User.objects.filter(username=STATE_USER).first(),
        uploaded_at=timezone.now(),
        file_name="dcf-comparison-extract-demo.csv",
        stored_name=stored,
        period_start=start,
        period_end=end,
        data_as_of=today,
        note="Synthetic: served children go home 10 points more often than alike children.",
        status=ExtractStatus.CHECKING,
    )
    tasks.check_comparison_extract(extract.pk)
    ComparisonExtract.objects.filter(status=ExtractStatus.IN_USE).update(
        status=ExtractStatus.REPLACED
    )
    ComparisonExtract.objects.filter(pk=extract.pk, status=ExtractStatus.CHECKED).update(
        status=ExtractStatus.IN_USE
    )
    tasks.compare_outcomes()
    return extract
