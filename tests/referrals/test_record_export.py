"""A family's whole record, for a records request: one zip file with everything the program
holds on the family and the audit log about it; Program Coordinators and administrators only,
audited as an export."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from mentoring.models import (
    CaseGoal,
    GoalProgress,
    Hearing,
    SurveyInstrument,
    SurveyResponse,
    SurveyTiming,
)
from psp.models import AuditAction, AuditEntry
from referrals.models import Status, Transition
from tests.factories import ChildFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, add_document, assign_case

pytestmark = pytest.mark.django_db


def build_family(program: Any, partner_user: Any, *, contacts: int = 2, goals: int = 1) -> Any:
    """A family with one of everything: two parents, two children, a referral and its
    timeline, a case with a Parent Partner, goals and progress, contacts and a survey."""
    referral = ReferralFactory(family__program=program, reason="Mother asked for help.")
    family = referral.family
    ParentFactory(family=family, email="second.parent@example.org", address="12 Elm St")
    ChildFactory(family=family, first_name="Zaylee")
    Transition.objects.create(
        referral=referral, from_status="received", to_status="screening", note="Called mother."
    )
    case = assign_case(referral, partner_user)
    Hearing.objects.create(
        case=case, day=case.opened_on, court="Door County Circuit Court", outcome="Plea entered."
    )
    for number in range(goals):
        goal = CaseGoal.objects.create(case=case, text=f"Find stable housing {number}")
        GoalProgress.objects.create(goal=goal, note=f"Visited the housing office {number}")
    for number in range(contacts):
        ActivityFactory(
            case=case,
            notes=f"Talked about the court date {number}",
            location="Sturgeon Bay library",
            occurred_on=timezone.localdate() - datetime.timedelta(days=1 + number % 20),
        )
    instrument, _created = SurveyInstrument.objects.get_or_create(
        name="Hope and support", defaults={"questions": []}
    )
    SurveyResponse.objects.create(
        case=case, instrument=instrument, timing=SurveyTiming.INTAKE, score=Decimal("3.50")
    )
    return family


@pytest.fixture
def family(personas: dict[str, Any], door: Any) -> Any:
    return build_family(door, personas["door_parent_partner"])


def download(client: Any, family: Any) -> Any:
    return client.get(f"/referrals/families/{family.pk}/record.zip")


def unzip(response: Any) -> dict[str, str]:
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert archive.testzip() is None  # every file's checksum right
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_coordinator_downloads_every_kind_of_record(personas, door, family, client_for):
    other = ReferralFactory(family__program=door, reason="Another family's reason.").family
    other_parent = other.parents.get()
    # Names no label contains (a generated "Li" is inside "Living with other relatives").
    other.parents.update(first_name="Quennell", last_name="Okonkwo-Vasquez")
    other_parent.refresh_from_db()
    # What each document is (its file is downloaded from the case), and its adding, logged.
    add_document(
        family.cases.get(),
        personas["door_coordinator"],
        name="Release to Dr. Lindqvist.pdf",
        dated_on=timezone.localdate(),
    )
    response = download(client_for(personas["door_coordinator"]), family)

    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="family-{family.pk}-record-{today}.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    files = unzip(response)
    assert {"README.txt", "record.html", "record.json", "csv/parents.csv", "csv/contacts.csv"} <= (
        set(files)
    )
    record = json.loads(files["record.json"])
    counts = {key: len(table["rows"]) for key, table in record["tables"].items()}
    assert counts == {
        "family": 1,
        "parents": 2,
        "children": 2,
        "stays_in_care": 2,
        "placements": 2,
        "referrals": 1,
        "referral_steps": 2,
        "cases": 1,
        "assignments": 1,
        "hearings": 1,
        "goals": 1,
        "goal_progress": 1,
        "contacts": 2,
        "surveys": 1,
        "documents": 1,
        "audit_log": 1,
    }
    assert record["family_id"] == family.pk
    assert record["program"]["name"] == "Door County PSP"
    assert record["produced_by"] == "door-coordinator"
    everything = "\n".join(files.values())
    for parent in family.parents.all():
        assert parent.first_name in files["record.html"]
        assert parent.last_name in files["csv/parents.csv"]
    for text in [
        "Zaylee",
        "second.parent@example.org",
        "12 Elm St",
        "Mother asked for help.",
        "Called mother.",
        "Find stable housing 0",
        "Plea entered.",
        "Release to Dr. Lindqvist.pdf",
        "Visited the housing office 0",
        "Talked about the court date 1",
        "Sturgeon Bay library",
    ]:
        assert text in files["record.html"], text
        assert text in files["record.json"], text
    assert other_parent.first_name not in everything
    assert other_parent.last_name not in everything
    assert "Another family's reason." not in everything


def test_labels_and_choices_are_readable(personas, family, client_for):
    files = unzip(download(client_for(personas["door_coordinator"]), family))
    [header, *_rows] = list(csv.reader(io.StringIO(files["csv/children.csv"].lstrip("\ufeff"))))
    assert {"First name", "Date of birth"} <= set(header)
    [header, *_rows] = list(
        csv.reader(io.StringIO(files["csv/stays_in_care.csv"].lstrip("\ufeff")))
    )
    assert {"Date removed from home", "Date left care"} <= set(header)
    assert "With a relative (kinship care)" in files["csv/placements.csv"]
    assert "Home visit" in files["record.html"]
    contacts = json.loads(files["record.json"])["tables"]["contacts"]
    assert contacts["fields"]["activity_type"]["label"] == "What kind of contact"
    assert contacts["fields"]["activity_type"]["choices"]["home_visit"] == "Home visit"
    assert contacts["rows"][0]["activity_type"] == "home_visit"
    readme = files["README.txt"]
    assert "Door County PSP" in readme
    assert "door-coordinator" in readme
    assert "Contacts: 2 (csv/contacts.csv)" in readme


def test_the_record_carries_its_audit_log_and_the_export_is_audited(
    personas, door, family, client_for
):
    coordinator = client_for(personas["door_coordinator"])
    referral = family.referrals.get()
    coordinator.get(f"/referrals/{referral.pk}/")  # a view of the record, audited
    other = ReferralFactory(family__program=door)
    coordinator.get(f"/referrals/{other.pk}/")  # another family's: not in this record

    files = unzip(download(coordinator, family))
    log = json.loads(files["record.json"])["tables"]["audit_log"]["rows"]
    assert [(row["action"], row["object_type"], row["object_id"]) for row in log] == [
        ("view", "referrals.referral", str(referral.pk))
    ]
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.object_type == "referrals.family"
    assert entry.object_id == str(family.pk)
    assert entry.program_id == door.pk
    assert entry.actor_username == "door-coordinator"
    assert entry.changes["records"]["contacts"] == 2
    for parent in family.parents.all():
        assert parent.last_name not in entry.object_repr
    # The download is an export, not a page view.
    assert not AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="referrals.family"
    ).exists()
    # A second download carries the first one in its audit log.
    again = json.loads(unzip(download(coordinator, family))["record.json"])
    assert [row["action"] for row in again["tables"]["audit_log"]["rows"]] == ["view", "export"]


def test_another_programs_coordinator_gets_404(personas, family, client_for):
    assert download(client_for(personas["rock_coordinator"]), family).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("persona", ["door_parent_partner", "door_pp_coordinator"])
def test_other_roles_that_see_the_family_get_403(persona, personas, family, client_for):
    # The Parent Partner is on the family's case: the family is theirs to see, not to export.
    assert download(client_for(personas[persona]), family).status_code == 403


def test_an_administrator_may_download(personas, family, client_for):
    assert download(client_for(personas["admin"]), family).status_code == 200


def test_the_pages_of_the_family_offer_the_download(personas, family, client_for):
    referral = family.referrals.get()
    case = family.cases.get()
    link = f'href="/referrals/families/{family.pk}/record.zip"'
    coordinator = client_for(personas["door_coordinator"])
    assert link in coordinator.get(f"/referrals/{referral.pk}/").content.decode()
    assert link in coordinator.get(f"/mentoring/cases/{case.pk}/").content.decode()
    pp_coordinator = client_for(personas["door_pp_coordinator"])
    assert link not in pp_coordinator.get(f"/referrals/{referral.pk}/").content.decode()
    assert link not in pp_coordinator.get(f"/mentoring/cases/{case.pk}/").content.decode()


def test_the_download_speaks_the_readers_language(personas, family, client_for):
    client = client_for(personas["door_coordinator"])
    client.post("/i18n/setlang/", {"language": "es", "next": "/dashboard/"})
    files = unzip(download(client, family))
    assert '<html lang="es">' in files["record.html"]
    assert "Visita al hogar" in files["record.html"]
    assert "Contactos: 2 (csv/contacts.csv)" in files["README.txt"]


def test_query_count_does_not_grow_with_the_family(
    personas, door, client_for, django_assert_max_num_queries
):
    small = build_family(door, personas["door_parent_partner"], contacts=1, goals=1)
    referral = ReferralFactory(family__program=door, status=Status.RECEIVED)
    large = build_family(door, personas["door_parent_partner"], contacts=40, goals=8)
    for _number in range(5):
        ChildFactory(family=large)
        ParentFactory(family=large)
    client = client_for(personas["door_coordinator"])
    client.get(f"/referrals/{referral.pk}/")  # the session and its first queries warmed
    # The large family also has more stays in care and placements (five more children).
    with django_assert_max_num_queries(22) as few:
        unzip(download(client, small))
    with django_assert_max_num_queries(len(few)):
        unzip(download(client, large))


def test_the_json_is_written_as_the_standard_library_writes_it() -> None:
    from referrals.records import indented_json

    document = {
        "text": 'Peña "quoted" \\ tab\t line\n end \u2028 ☃',
        "numbers": [0, -1, 2**40, 1.5, 1e-7, float("inf")],
        "flags": [True, False, None],
        "empty": {"list": [], "object": {}, "text": ""},
        "nested": [{"a": [[], [1, [2, {}]]]}, []],
        "not text keys": {7: "seven", None: "none", False: "no", 2.5: "half"},
        "a tuple": ("x", ("y",)),
        "changes": {"status": ["received", "screening"], "note": None},
    }
    assert indented_json(document) == json.dumps(document, ensure_ascii=False, indent=2)
    for scalar in ["x", 1, None, [], {}]:
        assert indented_json(scalar) == json.dumps(scalar, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        indented_json({"when": datetime.date(2026, 1, 1)})


def test_the_export_is_audited_before_the_first_byte_is_sent(personas, family, client_for):
    response = download(client_for(personas["door_coordinator"]), family)
    assert response.streaming
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.changes["records"]["contacts"] == 2
    chunks = iter(response.streaming_content)
    first = next(chunks)
    # The README comes first, whole: a zip file's first entry.
    assert first.startswith(b"PK\x03\x04")
    assert b"README.txt" in first[:100]
    with zipfile.ZipFile(io.BytesIO(first + b"".join(chunks))) as archive:
        assert archive.namelist()[:3] == ["README.txt", "record.html", "record.json"]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_a_streamed_record_keeps_the_language_of_its_request(personas, family, client_for):
    from django.utils import translation

    client = client_for(personas["door_coordinator"])
    client.post("/i18n/setlang/", {"language": "es", "next": "/dashboard/"})
    response = download(client, family)
    translation.activate("en")  # as another request on the same thread would
    try:
        files = unzip(response)
    finally:
        translation.deactivate()
    assert '<html lang="es">' in files["record.html"]
    assert "Visita al hogar" in files["record.html"]
    assert "Contactos: 2 (csv/contacts.csv)" in files["README.txt"]


def test_the_html_record_escapes_what_people_typed_and_keeps_their_line_breaks(
    personas, family, client_for
):
    case = family.cases.get()
    ActivityFactory(case=case, notes="Line one\nSaid <b>&</b> \"ok\" 'yes'", location="A & B")
    files = unzip(download(client_for(personas["door_coordinator"]), family))
    page = files["record.html"]
    assert (
        "<dd>Line one<br>Said &lt;b&gt;&amp;&lt;/b&gt; &quot;ok&quot; &#x27;yes&#x27;</dd>" in page
    )
    assert "<dd>A &amp; B</dd>" in page
    assert "<b>" not in page
    assert "<dt>Notes</dt>" in page or "<dt>Notes (optional)</dt>" in page
