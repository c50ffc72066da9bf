"""The retention rule: ``manage.py anonymise_closed_families`` replaces the identifying details
of families closed more than ``PSP_RETENTION_YEARS`` years ago, keeps their facts, and leaves
an audit entry that names the fields cleared, never their old values."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.utils import timezone

from mentoring.models import (
    Assignment,
    Case,
    CaseGoal,
    CaseStatus,
    ClosureOutcome,
    GoalProgress,
    Hearing,
)
from psp.models import AuditAction, AuditEntry
from referrals import retention
from referrals.models import (
    Child,
    DischargeReason,
    Family,
    Parent,
    Referral,
    ReferralRequest,
    RequestStatus,
    Status,
    Transition,
)
from referrals.tasks import anonymise_closed_families
from tests.factories import (
    ChildFactory,
    ParentFactory,
    ReferralFactory,
    ReferralRequestFactory,
    RemovalEpisodeFactory,
    UserFactory,
)
from tests.mentoring.factories import ActivityFactory, ParentPartnerFactory, add_document

pytestmark = pytest.mark.django_db

YEARS = 7
STAY = ("removed_on", "discharged_on", "discharge_reason")
day = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _seven_years(settings: Any) -> None:
    settings.PSP_RETENTION_YEARS = YEARS


def _midday(on: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(12, 0)))


def closed_family(program: Any, closed_on: datetime.date, **parent: Any) -> Family:
    """A family served and closed on ``closed_on``: referral, case, goal, contact, notes."""
    received = closed_on - datetime.timedelta(days=200)
    referral = ReferralFactory(
        family__program=program,
        members=False,
        received_on=received,
        status=Status.ASSIGNED,
        status_changed_at=_midday(received + 10 * day),
        reason="Mother asked for help with housing on Elm Street.",
    )
    family = referral.family
    ParentFactory(
        family=family,
        email="parent@example.org",
        address="12 Elm St",
        consent_date=received,
        **parent,
    )
    ChildFactory(
        family=family,
        birth_date=datetime.date(2012, 12, 20),
        episode=received,
        episode__discharged_on=closed_on - 30 * day,
        episode__discharge_reason=DischargeReason.REUNIFICATION,
    )
    Transition.objects.filter(referral=referral).update(at=_midday(received), note="Called mom.")
    case = Case.objects.create(
        referral=referral,
        program=program,
        family=family,
        opened_on=received + 10 * day,
        status=CaseStatus.CLOSED,
        closed_on=closed_on,
        closure_outcome=ClosureOutcome.REUNIFIED,
        closure_note="Mom is doing well at her new job.",
    )
    partner = ParentPartnerFactory(program=program, account=False)
    Assignment.objects.create(
        case=case,
        parent_partner=partner,
        started_on=case.opened_on,
        ended_on=closed_on,
        end_reason="Family moved in with grandma.",
    )
    goal = CaseGoal.objects.create(case=case, text="Find housing near Elm Street")
    GoalProgress.objects.create(goal=goal, note="Signed the lease.")
    Hearing.objects.create(
        case=case,
        day=case.opened_on + 5 * day,
        judge="Judge Weber",
        outcome="Mom's sister to supervise visits.",
    )
    add_document(
        case, UserFactory(), name="Consent Maria Lopez.pdf", dated_on=case.opened_on + 2 * day
    )
    ActivityFactory(
        case=case,
        parent_partner=partner,
        occurred_on=received + 20 * day,
        notes="Met at the library.",
        location="Sturgeon Bay library",
        next_step="Call the landlord.",
    )
    return family


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("anonymise_closed_families", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def is_anonymised(family: Family) -> bool:
    family.refresh_from_db()
    return family.anonymised_at is not None


def test_closed_more_than_the_retention_years_ago_is_anonymised_and_not_a_day_later(at_local, door):
    today = at_local.date()
    cutoff = retention.years_before(today, YEARS)
    older = closed_family(door, cutoff - day)  # seven years and a day ago
    exactly = closed_family(door, cutoff)  # seven years ago today: not more than seven
    newer = closed_family(door, cutoff + day)  # a day short of seven years

    assert "Anonymised 1 families;" in run()

    assert is_anonymised(older)
    assert not is_anonymised(exactly)
    assert not is_anonymised(newer)


def test_identifying_details_go_and_the_facts_stay(door, django_capture_on_commit_callbacks):
    family = closed_family(door, timezone.localdate() - datetime.timedelta(days=YEARS * 366))
    stored = family.cases.get().documents.get().stored_name
    assert storages["documents"].exists(stored)
    parent, child = family.parents.get(), family.children.get()
    case = family.cases.get()
    activity = case.activities.get()
    before = {
        "child": list(
            child.episodes.values_list("removed_on", "discharged_on", "discharge_reason")
        ),
        "case": (case.opened_on, case.closed_on, case.closure_outcome, case.status),
        "activity": (activity.occurred_on, activity.duration_minutes, activity.activity_type),
        "parent": (parent.race_ethnicity, parent.preferred_language, parent.consent_date),
    }
    with django_capture_on_commit_callbacks(execute=True):
        run()

    parent.refresh_from_db()
    assert (parent.first_name, parent.last_name) == ("Anonymised", "parent 1")
    assert parent.name_key == "anonymised parent 1"
    assert (parent.birth_date, parent.phone, parent.email, parent.address) == (None, "", "", "")
    child.refresh_from_db()
    assert str(child) == "Anonymised child 1"
    assert str(family) == "Anonymised parent 1"
    referral = family.referrals.get()
    assert referral.reason == ""
    assert referral.version == 2  # an open form on the old version is refused
    assert set(Transition.objects.filter(referral=referral).values_list("note", flat=True)) == {""}
    case.refresh_from_db()
    assert case.closure_note == ""
    assert case.assignments.get().end_reason == ""
    goal = case.goals.get()
    assert goal.text == "[removed]"
    assert goal.progress.get().note == "[removed]"
    hearing = case.hearings.get()
    assert (hearing.outcome, hearing.judge, hearing.day) == ("", "", case.opened_on + 5 * day)
    activity.refresh_from_db()
    assert (activity.notes, activity.location, activity.next_step) == ("", "", "")
    # A document's file goes with the names in it; what it was and when stays.
    document = case.documents.get()
    assert (document.stored_name, document.original_name) == ("", "")
    assert (document.document_type, document.dated_on) == ("consent", case.opened_on + 2 * day)
    assert not storages["documents"].exists(stored)
    assert before == {
        "child": list(
            child.episodes.values_list("removed_on", "discharged_on", "discharge_reason")
        ),
        "case": (case.opened_on, case.closed_on, case.closure_outcome, case.status),
        "activity": (activity.occurred_on, activity.duration_minutes, activity.activity_type),
        "parent": (parent.race_ethnicity, parent.preferred_language, parent.consent_date),
    }


@pytest.mark.parametrize(
    ("born", "removed", "age"),
    [
        (datetime.date(2000, 12, 20), datetime.date(2018, 6, 10), 17),  # birthday not reached
        (datetime.date(2000, 6, 10), datetime.date(2018, 6, 10), 18),  # 18 that very day
        (datetime.date(2004, 2, 29), datetime.date(2016, 2, 29), 12),
        (datetime.date(2004, 2, 29), datetime.date(2017, 2, 28), 12),
        (datetime.date(2004, 3, 1), datetime.date(2016, 2, 29), 11),
    ],
)
def test_a_childs_birth_date_keeps_only_the_age_on_the_removal_date(door, born, removed, age):
    child = ChildFactory(birth_date=born, episode=removed)
    new = retention._child_birth_date(child)
    assert new is not None
    assert retention.age_on(born, removed) == retention.age_on(new, removed) == age
    assert new != born or (born.month, born.day) == (removed.month, removed.day)


def test_a_childs_birth_date_keeps_the_age_on_every_removal_and_discharge(door):
    # Born 15 June 2000; removed 10 January 2017 (16), home 20 June 2018 (18: the
    # discharge is after the 18th birthday, so it is not permanency for the CFSR), removed
    # again 1 March 2019 (18). Keeping only the first removal's age would give 10 January
    # 2001, and the child would be 17 on 20 June 2018. The latest date that keeps all three
    # ages is 20 June 2000 (from the discharge): 16, 18 and 18.
    child = ChildFactory(
        birth_date=datetime.date(2000, 6, 15),
        episode=datetime.date(2017, 1, 10),
        episode__discharged_on=datetime.date(2018, 6, 20),
        episode__discharge_reason=DischargeReason.REUNIFICATION,
    )
    RemovalEpisodeFactory(child=child, removed_on=datetime.date(2019, 3, 1))
    new = retention._child_birth_date(child)
    assert new == datetime.date(2000, 6, 20)
    for day, age in [
        (datetime.date(2017, 1, 10), 16),
        (datetime.date(2018, 6, 20), 18),
        (datetime.date(2019, 3, 1), 18),
    ]:
        assert retention.age_on(new, day) == age


def test_a_childs_birth_date_without_a_stay_in_care_is_dropped(door):
    assert retention._child_birth_date(ChildFactory(episode=False)) is None


def test_a_family_with_an_open_case_or_referral_is_never_touched(door):
    long_ago = timezone.localdate() - datetime.timedelta(days=YEARS * 366 * 2)
    open_case = closed_family(door, long_ago)
    Case.objects.filter(family=open_case).update(status=CaseStatus.OPEN, closed_on=None)
    referred_again = closed_family(door, long_ago)
    ReferralFactory(family=referred_again, status=Status.SCREENING)  # an open referral now
    declined_long_ago = ReferralFactory(
        family__program=door,
        status=Status.DECLINED,
        status_changed_at=_midday(long_ago),
        received_on=long_ago,
    ).family

    run()

    assert not is_anonymised(open_case)
    assert not is_anonymised(referred_again)
    assert is_anonymised(declined_long_ago)  # a declined referral closes the family too
    assert open_case.parents.get().first_name != "Anonymised"


def test_a_dry_run_counts_and_changes_nothing(door):
    family = closed_family(door, timezone.localdate() - datetime.timedelta(days=YEARS * 366))
    name = family.parents.get().last_name
    audit_entries = AuditEntry.objects.count()

    output = run("--dry-run")

    assert (
        "Would anonymise 1 families: 1 parents, 1 children, 1 referrals, 1 cases, 1 contacts"
        in (output)
    )
    assert name not in output
    assert not is_anonymised(family)
    assert family.parents.get().last_name == name
    assert AuditEntry.objects.count() == audit_entries


def test_a_second_run_changes_nothing(door):
    family = closed_family(door, timezone.localdate() - datetime.timedelta(days=YEARS * 366))
    run()
    family.refresh_from_db()
    first = (family.anonymised_at, family.version)
    entries = AuditEntry.objects.count()

    assert "Anonymised 0 families;" in run()

    family.refresh_from_db()
    assert (family.anonymised_at, family.version) == first
    assert AuditEntry.objects.count() == entries


def test_the_audit_entry_says_which_fields_were_cleared_never_their_values(door):
    family = closed_family(
        door,
        timezone.localdate() - datetime.timedelta(days=YEARS * 366),
        first_name="Xochitl",
        last_name="Oyelaran",
        phone="920-555-0177",
    )
    child_name = family.children.get().first_name
    run()

    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="referrals.family")
    assert entry.object_id == str(family.pk)
    assert entry.program_id == door.pk
    assert entry.object_repr == f"Family {family.pk} (anonymised)"
    assert entry.changes["anonymised"]["referrals.parent"] == {
        "records": 1,
        "fields": ["first_name", "last_name", "birth_date", "phone", "email", "address"],
    }
    assert entry.changes["anonymised"]["mentoring.activity"]["fields"] == [
        "location",
        "notes",
        "next_step",
        "review_comment",
    ]
    assert entry.changes["retention_years"] == YEARS
    written = json.dumps(entry.changes) + entry.object_repr
    for value in [
        "Xochitl",
        "Oyelaran",
        child_name,
        "920-555-0177",
        "parent@example.org",
        "Elm",
        "library",
        "1992-05-17",
    ]:
        assert value not in written
    # Only the one entry: the changes to the parts of the record are in it.
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_a_family_whose_record_fails_its_checks_is_reported_and_the_others_done(door):
    long_ago = timezone.localdate() - datetime.timedelta(days=YEARS * 366)
    broken = closed_family(door, long_ago)
    # Agreed to be contacted with no date recorded: the model's own checks refuse it.
    Parent.objects.filter(family=broken).update(consent_date=None)
    fine = closed_family(door, long_ago)
    name = broken.parents.get().last_name
    errors = io.StringIO()

    with pytest.raises(CommandError, match="1 families could not be anonymised"):
        call_command("anonymise_closed_families", stdout=io.StringIO(), stderr=errors)

    assert f"Family {broken.pk} was not anonymised" in errors.getvalue()
    assert name not in errors.getvalue()
    assert not is_anonymised(broken)
    assert broken.parents.get().last_name == name  # its transaction was rolled back whole
    assert Child.objects.get(family=broken).first_name != "Anonymised"
    assert is_anonymised(fine)


def test_the_monthly_task_runs_the_rule(door):
    closed_family(door, timezone.localdate() - datetime.timedelta(days=YEARS * 366))
    assert anonymise_closed_families() == {
        "anonymised": 1,
        "failed": 0,
        "public_requests_deleted": 0,
    }
    assert Referral.objects.get().reason == ""


def test_the_family_page_says_it_was_anonymised(personas, door, client_for):
    family = closed_family(door, timezone.localdate() - datetime.timedelta(days=YEARS * 366))
    run()
    page = client_for(personas["door_coordinator"]).get(f"/referrals/{family.referrals.get().pk}/")
    assert "identifying details were replaced by placeholders" in page.content.decode()
    assert "Anonymised parent 1" in page.content.decode()


def test_requests_from_the_public_page_handled_long_ago_are_deleted(door, personas):
    """Handled before the cutoff: gone, counted in the audit log without a name. Handled
    since, or still waiting however old: kept."""
    cutoff = retention.retention_cutoff()
    long_ago = timezone.make_aware(
        datetime.datetime.combine(cutoff - datetime.timedelta(days=1), datetime.time(12))
    )
    old_closed = ReferralRequestFactory(
        program=door, status=RequestStatus.CLOSED, close_reason="not_genuine", handled_at=long_ago
    )
    still_waiting = ReferralRequestFactory(program=door, received_at=long_ago)
    recent = ReferralRequestFactory(
        program=door, status=RequestStatus.CLOSED, handled_at=timezone.now()
    )
    assert retention.due_counts(cutoff=cutoff)["public_requests"] == 1
    run = retention.anonymise_closed_families(cutoff=cutoff)
    assert run.requests_deleted == 1
    assert set(ReferralRequest.objects.values_list("pk", flat=True)) == {
        still_waiting.pk,
        recent.pk,
    }
    entry = AuditEntry.objects.get(object_type="referrals.referralrequest", action="delete")
    assert entry.program_id == door.pk and entry.changes["count"] == 1
    assert old_closed.parent_first_name not in json.dumps(entry.changes) + entry.object_repr
