"""The Parent Partner's home is kept made until something it shows may have changed
(``mentoring.home``): every way of changing the casework shows on the very next visit,
however it was written (here mostly bulk updates, which no model signal sees); the day, the
language and the person's roles are part of what it is kept under; nobody is ever shown
another person's kept page; and the forms of a kept page carry this request's own token."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring import home
from mentoring.models import (
    Activity,
    Assignment,
    Case,
    CaseStatus,
    CaseworkVersion,
    FollowUp,
    ParentPartner,
    ReviewStatus,
)
from psp.backup import database_restored
from psp.models import Membership, Role
from referrals.models import Child, Family, Parent, Referral, Status
from tests.clock import CHICAGO
from tests.factories import ChildFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case, profile_for

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def visit(client) -> tuple[str, list[str]]:
    """The home as shown, and the SQL it took."""
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/mentoring/").content.decode()
    return page, [query["sql"] for query in captured.captured_queries]


def reads_casework(sql: list[str]) -> bool:
    return any('FROM "mentoring_case"' in query for query in sql)


@pytest.fixture
def ana(personas, door) -> Case:
    """Ana Lopez's open case: a contact 20 days ago (so "No contact in 14 days"), waiting for
    review, and a follow-up "Call the school"."""
    partner = personas["door_parent_partner"]
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    referral.family.parents.all().delete()
    ParentFactory(family=referral.family, first_name="Ana", last_name="Lopez")
    case = assign_case(referral, partner, opened_days_ago=60)
    ActivityFactory(case=case, at=timezone.now() - 20 * DAY)
    FollowUp.objects.create(
        case=case, what="Call the school", due_on=timezone.localdate() + 3 * DAY, owner=partner
    )
    return case


def _contact_today(case: Case, people) -> tuple[str | None, str | None]:
    ActivityFactory(case=case, at=timezone.now())
    return None, "No contact in 14 days"


def _sent_back(case: Case, people) -> tuple[str | None, str | None]:
    Activity.objects.filter(case=case).update(
        review_status=ReviewStatus.SENT_BACK, review_comment="Add the duration, please."
    )
    return "Add the duration, please.", None


def _renamed(case: Case, people) -> tuple[str | None, str | None]:
    Parent.objects.filter(family=case.family_id).update(first_name="Anita")
    return "Anita Lopez", "Ana Lopez"


def _given_away(case: Case, people) -> tuple[str | None, str | None]:
    Assignment.objects.filter(case=case).update(ended_on=timezone.localdate())
    Assignment.objects.create(
        case=case,
        parent_partner=profile_for(people["other_partner"], case.program_id),
        started_on=timezone.localdate(),
    )
    return None, "Ana Lopez"


def _closed(case: Case, people) -> tuple[str | None, str | None]:
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_on=timezone.localdate(), closure_outcome="reunified"
    )
    return None, "Ana Lopez"


def _moved_to_another_county(case: Case, people) -> tuple[str | None, str | None]:
    Case.objects.filter(pk=case.pk).update(program=people["rock"])
    return None, "Ana Lopez"


def _follow_up_done(case: Case, people) -> tuple[str | None, str | None]:
    FollowUp.objects.filter(case=case).update(done_at=timezone.now())
    return None, "Call the school"


def _follow_up_added(case: Case, people) -> tuple[str | None, str | None]:
    FollowUp.objects.create(
        case=case,
        what="Bring the forms",
        due_on=timezone.localdate(),
        owner=people["door_parent_partner"],
    )
    return "Bring the forms", None


def _hearing_set(case: Case, people) -> tuple[str | None, str | None]:
    Case.objects.filter(pk=case.pk).update(next_court_date=timezone.localdate() + 2 * DAY)
    return "Court hearing", None


def _referral_renumbered(case: Case, people) -> tuple[str | None, str | None]:
    Referral.objects.filter(pk=case.referral_id).update(number="R-RENUMBERED")
    return "R-RENUMBERED", None


CHANGES: dict[str, Callable[[Case, dict], tuple[str | None, str | None]]] = {
    "a contact logged today": _contact_today,
    "a contact sent back": _sent_back,
    "a parent's name corrected": _renamed,
    "the family given to another Parent Partner": _given_away,
    "the case closed": _closed,
    "the case moved to another county": _moved_to_another_county,
    "a follow-up done": _follow_up_done,
    "a follow-up added": _follow_up_added,
    "a court hearing set": _hearing_set,
    "the referral renumbered": _referral_renumbered,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_shows_on_the_next_visit(
    personas, door, rock, ana, client_for, make_member, change
):
    partner = personas["door_parent_partner"]
    people = {**personas, "rock": rock, "other_partner": make_member(door, Role.PARENT_PARTNER)}
    client = client_for(partner)
    first, _ = visit(client)
    kept, sql = visit(client)
    assert without_tokens(kept) == without_tokens(first)
    assert not reads_casework(sql), "the second visit is the kept page"
    assert "Ana Lopez" in kept and "Call the school" in kept
    assert "No contact in 14 days" in kept

    appears, disappears = CHANGES[change](ana, people)
    if appears:
        assert appears not in kept
    after, sql = visit(client)
    assert reads_casework(sql), "made again"
    if appears:
        assert appears in after
    if disappears:
        assert disappears in kept and disappears not in after


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found.group(1) if found else ""


def test_a_change_in_another_county_leaves_the_kept_home_alone(
    personas, door, rock, ana, client_for
):
    client = client_for(personas["door_parent_partner"])
    visit(client)
    ReferralFactory(family__program=rock)
    Parent.objects.filter(family__program=rock).update(first_name="Someone")
    _, sql = visit(client)
    assert not reads_casework(sql)


def test_nobody_is_shown_another_parent_partners_kept_home(
    personas, door, ana, client_for, make_member
):
    other = make_member(door, Role.PARENT_PARTNER)
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    referral.family.parents.all().delete()
    ParentFactory(family=referral.family, first_name="Bea", last_name="Moua")
    assign_case(referral, other)
    mine, theirs = client_for(personas["door_parent_partner"]), client_for(other)
    for _ in range(2):
        page, _ = visit(mine)
        assert "Ana Lopez" in page and "Bea Moua" not in page
        page, _ = visit(theirs)
        assert "Bea Moua" in page and "Ana Lopez" not in page


def test_the_language_is_part_of_the_kept_home(personas, ana, client_for):
    client = client_for(personas["door_parent_partner"])
    visit(client)
    english, _ = visit(client)
    assert '<h1 class="mb-0">My families</h1>' in english
    client.post("/i18n/setlang/", {"language": "es", "next": "/mentoring/"})
    spanish, _ = visit(client)
    assert '<h1 class="mb-0">Mis familias</h1>' in spanish
    assert "Sin contacto en 14 días" in spanish


def test_losing_the_role_is_seen_at_once(personas, door, ana, client_for):
    partner = personas["door_parent_partner"]
    client = client_for(partner)
    visit(client)
    Membership.objects.filter(user=partner, program=door).update(is_active=False)
    response = client.get("/mentoring/")
    assert response.status_code in (302, 403, 404)
    assert "Ana Lopez" not in response.content.decode()


# Just before midnight in Wisconsin, on the evening DST ends and at a year's end: the
# reminders of the new day appear with the day, though nothing was written.
EVENINGS = [
    datetime.datetime(2026, 10, 31, 23, 50, tzinfo=CHICAGO),
    datetime.datetime(2026, 12, 31, 23, 50, tzinfo=CHICAGO),
    datetime.datetime(2027, 3, 13, 23, 50, tzinfo=CHICAGO),
]


@pytest.mark.parametrize("evening", EVENINGS, ids=lambda moment: moment.date().isoformat())
def test_a_new_day_makes_the_home_again(personas, door, client_for, evening):
    partner = personas["door_parent_partner"]
    with time_machine.travel(evening, tick=False):
        referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
        case = assign_case(referral, partner, opened_days_ago=60)
        # The 14th day without a contact begins at midnight.
        ActivityFactory(case=case, at=evening - 13 * DAY)
        client = client_for(partner)
        visit(client)
        before, _ = visit(client)
        assert "No contact in 14 days" not in before
    with time_machine.travel(evening + datetime.timedelta(minutes=20), tick=False):
        after, _ = visit(client)
    assert "No contact in 14 days" in after


def test_the_forms_of_a_kept_home_carry_this_requests_token(personas, ana, client_for):
    partner = personas["door_parent_partner"]
    client = client_for(partner)
    client.handler.enforce_csrf_checks = True
    first, _ = visit(client)
    kept, sql = visit(client)
    assert not reads_casework(sql)
    assert csrf(first) and csrf(kept) and csrf(first) != csrf(kept)  # masked afresh
    follow_up = FollowUp.objects.get(case=ana)
    # The token of the follow-up's own form, in the kept content.
    form = kept[kept.index(f"/mentoring/follow-ups/{follow_up.pk}/done/") :]
    token = csrf(form)
    response = client.post(
        f"/mentoring/follow-ups/{follow_up.pk}/done/",
        {
            "version": str(follow_up.version),
            "next": "/mentoring/",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    after, _ = visit(client)
    assert "You have no open follow-ups." in after


def test_a_kept_home_costs_the_frame_and_one_row(personas, ana, client_for):
    client = client_for(personas["door_parent_partner"])
    visit(client)
    page, sql = visit(client)
    # Session, user, second factor, roles, the versions; council seats for the menu, the
    # bell; the audit entry (and, without Redis, the cache's own table).
    assert len([query for query in sql if '"psp_cache"' not in query]) <= 8
    assert "Ana Lopez" in page


def test_an_administrators_home_is_never_kept(personas, door, make_member):
    admin = make_member(door, Role.PARENT_PARTNER, statewide_role="administrator")
    assert home.cache_key(admin, timezone.localdate()) is None


# Every table the home is made from moves its program's version, whatever the statement.
WRITES: dict[str, Callable[[Case], object]] = {
    "case": lambda case: Case.objects.filter(pk=case.pk).update(closure_note="x"),
    "contact": lambda case: Activity.objects.filter(case=case).update(notes="x"),
    "contact deleted": lambda case: Activity.objects.filter(case=case).delete(),
    "assignment": lambda case: Assignment.objects.filter(case=case).update(
        ended_on=timezone.localdate()
    ),
    "follow-up": lambda case: FollowUp.objects.filter(case=case).update(what="x"),
    "Parent Partner": lambda case: ParentPartner.objects.filter(assignments__case=case).update(
        first_name="x"
    ),
    "referral": lambda case: Referral.objects.filter(pk=case.referral_id).update(reason="x"),
    "family": lambda case: Family.objects.filter(pk=case.family_id).update(race_ethnicity=[]),
    "parent": lambda case: Parent.objects.filter(family=case.family_id).update(last_name="x"),
    "child added": lambda case: ChildFactory(family=case.family),
    "children deleted": lambda case: Child.objects.filter(family=case.family_id).delete(),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_write_to_the_casework_moves_the_version(door, ana, write):
    def version() -> int:
        row = CaseworkVersion.objects.filter(program_id=door.pk).first()
        return row.number if row else 0

    before = version()
    WRITES[write](ana)
    assert version() > before


def versions_put_back() -> Callable[[], None]:
    """What a restore does to the versions: the table, and on PostgreSQL the sequence, come
    back as they were at the backup (taken now)."""
    rows = list(CaseworkVersion.objects.values_list("program_id", "number"))
    sequence = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value, is_called FROM mentoring_casework_number")
            sequence = cursor.fetchone()

    def put_back() -> None:
        CaseworkVersion.objects.all().delete()
        CaseworkVersion.objects.bulk_create(
            [CaseworkVersion(program_id=program, number=number) for program, number in rows]
        )
        if sequence:
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval('mentoring_casework_number', %s, %s)", sequence)

    return put_back


class Undone(Exception):
    pass


def test_a_restore_never_brings_back_a_home_kept_before_it(personas, ana, client_for):
    partner = personas["door_parent_partner"]
    client = client_for(partner)
    put_back = versions_put_back()  # the backup
    # After the backup, Ana's name is corrected, and the home is kept with it.
    Parent.objects.filter(family=ana.family_id).update(first_name="Anita")
    visit(client)
    kept, sql = visit(client)
    assert not reads_casework(sql) and "Anita Lopez" in kept
    kept_under = home.cache_key(partner, timezone.localdate())

    # The backup is restored: the rows as they were (the triggers come back after the rows,
    # so they count nothing), then the versions as they were.
    Parent.objects.filter(family=ana.family_id).update(first_name="Ana")
    put_back()

    # Left there, the first change after the restore would count the number the kept page
    # was kept under, and show it, with a name that is no longer true.
    def change() -> None:
        FollowUp.objects.filter(case=ana).update(what="Call the school today")

    try:
        with transaction.atomic():
            change()
            assert home.cache_key(partner, timezone.localdate()) == kept_under
            raise Undone
    except Undone:
        put_back()

    database_restored.send(sender=test_a_restore_never_brings_back_a_home_kept_before_it)
    change()
    assert home.cache_key(partner, timezone.localdate()) != kept_under
    after, sql = visit(client)
    assert reads_casework(sql)
    assert "Ana Lopez" in after and "Anita Lopez" not in after
    assert "Call the school today" in after


def test_after_a_restore_every_program_counts_past_every_earlier_number(door, rock, ana):
    highest = CaseworkVersion.objects.order_by("-number").values_list("number", flat=True)[0]
    CaseworkVersion.objects.filter(program_id=rock.pk).delete()
    database_restored.send(sender=test_a_restore_never_brings_back_a_home_kept_before_it)
    numbers = dict(CaseworkVersion.objects.values_list("program_id", "number"))
    assert {door.pk, rock.pk} <= set(numbers)
    assert min(numbers.values()) > highest
    Case.objects.filter(pk=ana.pk).update(closure_note="x")
    assert CaseworkVersion.objects.get(program_id=door.pk).number > numbers[door.pk]
