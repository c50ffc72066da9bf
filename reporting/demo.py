"""The demo's closed quarters (``seed_demo``): the two quarters before the last one that ended
are closed by each program's coordinator, so state staff find filed reports, with their
race and ethnicity tables, on a new install; so is the last quarter of the year before, so
they find a year on the equity view. The last quarter that ended is left open, to
try the data-quality panel and closing on.

The reports are made by the worker (in the embedded setup, at once, in-process) after the
demo's records are saved.
"""

from __future__ import annotations

from psp.demo import DemoContext
from psp.models import Membership, Role
from reporting import comparison_demo, filing, services
from reporting.quarters import Quarter

CLOSED_QUARTERS = 2


def seed(context: DemoContext) -> None:
    last = Quarter.last_completed(context.today)
    quarters: list[Quarter] = []
    quarter = last
    for _ in range(CLOSED_QUARTERS):
        quarter = quarter.previous()
        quarters.insert(0, quarter)
    # The last quarter of the year before the last one that ended, so state staff find a
    # year filed on the equity view (``reporting.equity``).
    year_end = Quarter(last.year - 1, 4)
    if year_end not in quarters:
        quarters.insert(0, year_end)
    for quarter in quarters:  # oldest first, as they would have been closed
        for program in filing.programs_still_open(quarter):
            membership = (
                Membership.objects.filter(
                    program=program, role=Role.PROGRAM_COORDINATOR, is_active=True
                )
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if membership is None:
                continue
            services.close_quarter(actor=membership.user, program=program, quarter=quarter)
    # The state's comparison extract, and the outcomes compared with it.
    comparison_demo.seed(context)
