"""A family's documents (signed consents, releases of information, court orders, the case
plan): taken for what their content is, never their name; kept under random names where no
address serves them; read only through the policy, each download in the audit log."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import override_settings
from django.utils import timezone

from mentoring.documents import content_type_of, safe_file_name
from mentoring.models import CaseStatus, Document, DocumentType
from psp.models import AuditAction, AuditEntry
from referrals.models import Status
from tests.factories import ReferralFactory
from tests.mentoring.factories import (
    EXE_BYTES,
    HTML_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    add_document,
    assign_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas, door):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    return assign_case(referral, personas["door_parent_partner"], opened_days_ago=60)


def days_ago(n: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=n)).isoformat()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    # What a browser says the type is counts for nothing; say the worst.
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form_data(file: SimpleUploadedFile | None, **fields: str) -> dict[str, object]:
    data: dict[str, object] = {
        "document_type": DocumentType.RELEASE,
        "dated_on": days_ago(2),
        "expires_on": "",
        "description": "Release to the family's therapist",
        **fields,
    }
    if file is not None:
        data["file"] = file
    return data


def stored_files() -> list[Path]:
    root = Path(storages["documents"].location)  # type: ignore[attr-defined]
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- What a file is ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF_BYTES, "application/pdf"),
        (PNG_BYTES, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (HTML_BYTES, None),
        (EXE_BYTES, None),
        (b"", None),
        (b" %PDF-1.4", None),  # not at the start: not taken
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # a sound, not a picture
        (b"PK\x03\x04", None),  # a Word file (zip)
        (b"<svg xmlns='http://www.w3.org/2000/svg'>", None),
    ],
)
def test_a_file_is_what_its_first_bytes_say(head, expected):
    assert content_type_of(head[:16]) == expected


@pytest.mark.parametrize(
    ("given", "content_type", "expected"),
    [
        ("Signed consent.pdf", "application/pdf", "Signed consent.pdf"),
        ("C:\\Users\\Megan\\Desktop\\ROI.PDF", "application/pdf", "ROI.pdf"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("order.html", "application/pdf", "order.html.pdf"),
        ("photo.jpeg", "image/jpeg", "photo.jpg"),
        ('a"b;c\r\nd<e>.png', "image/png", "abcde.png"),
        ("", "image/png", "document.png"),
        ("...", "application/pdf", "document.pdf"),
        (
            "Consentimiento firmado — Peña.pdf",
            "application/pdf",
            "Consentimiento firmado — Peña.pdf",
        ),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 116 + ".pdf"),
    ],
)
def test_a_file_keeps_a_safe_name_with_the_extension_of_what_it_is(given, content_type, expected):
    assert safe_file_name(given, content_type) == expected


# --- Adding a document ------------------------------------------------------------------


def test_the_coordinator_adds_a_pdf_and_it_is_listed_on_the_case(personas, case, client_for):
    coordinator = client_for(personas["door_coordinator"])
    page = coordinator.get(f"/mentoring/cases/{case.pk}/documents/new/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    response = coordinator.post(
        f"/mentoring/cases/{case.pk}/documents/new/",
        form_data(upload("ROI therapist.pdf", PDF_BYTES), expires_on=days_ago(-300)),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/mentoring/cases/{case.pk}/#documents-title"
    document = Document.objects.get()
    assert (document.case, document.referral, document.program_id) == (case, None, case.program_id)
    assert document.document_type == DocumentType.RELEASE
    assert document.original_name == "ROI therapist.pdf"
    assert (document.content_type, document.size) == ("application/pdf", len(PDF_BYTES))
    assert len(document.sha256) == 64
    assert document.uploaded_by == personas["door_coordinator"]
    # Stored under a random name, with nothing of the family's or the file's own name.
    [stored] = stored_files()
    assert stored.read_bytes() == PDF_BYTES
    assert "ROI" not in document.stored_name and "." not in stored.name
    assert stored.stat().st_mode & 0o077 == 0
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="mentoring.document", object_id=str(document.pk)
    ).exists()
    listed = coordinator.get(case.get_absolute_url()).content.decode()
    assert "ROI therapist.pdf" in listed
    assert f"/mentoring/documents/{document.pk}/download/" in listed
    assert "Release of information" in listed


@pytest.mark.parametrize(
    ("name", "content"),
    [("consent.pdf", HTML_BYTES), ("court order.pdf", EXE_BYTES), ("scan.png", b"GIF89a...")],
)
def test_a_file_that_is_not_a_pdf_or_picture_is_refused_at_the_field(
    personas, case, client_for, name, content
):
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/documents/new/", form_data(upload(name, content))
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["file"] == [
        "This file is not a PDF or a picture (PNG, JPEG or WebP), whatever its name says. "
        "Choose a PDF, or a photo or scan of the document."
    ]
    page = response.content.decode()
    assert 'href="#id_file"' in page  # the error summary links to the field
    assert "Release to the family&#x27;s therapist" in page  # what was typed is kept
    assert not Document.objects.exists()
    assert stored_files() == []


@override_settings(PSP_DOCUMENT_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused_at_the_field(personas, case, client_for):
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/documents/new/",
        form_data(upload("big.pdf", PDF_BYTES + b"0" * 1000)),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This file is larger than 1000\xa0bytes. Choose a smaller file, or scan the document "
        "again at a lower quality."
    ]
    assert not Document.objects.exists()
    assert stored_files() == []


def test_a_ten_megabyte_scan_is_taken_and_a_bigger_one_refused_at_the_field(
    personas, case, client_for
):
    """The real limit, past the 2.5 MB every other form is held to, without a server error."""
    client = client_for(personas["door_coordinator"])
    url = f"/mentoring/cases/{case.pk}/documents/new/"
    just_under = PDF_BYTES + b"0" * (10 * 1024 * 1024 - len(PDF_BYTES))
    assert client.post(url, form_data(upload("scan.pdf", just_under))).status_code == 302
    over = client.post(url, form_data(upload("scan.pdf", just_under + b"0")))
    assert over.status_code == 200
    assert "This file is larger than 10.0\xa0MB." in over.context["form"].errors["file"][0]
    assert Document.objects.count() == 1


def test_a_body_far_over_the_limit_gets_the_too_large_page_not_a_server_error(
    personas, case, client_for
):
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/documents/new/",
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(40 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "choose a smaller file" in response.content.decode()


def test_an_empty_file_or_none_is_refused_at_the_field(personas, case, client_for):
    client = client_for(personas["door_coordinator"])
    url = f"/mentoring/cases/{case.pk}/documents/new/"
    empty = client.post(url, form_data(upload("consent.pdf", b"")))
    assert empty.context["form"].errors["file"] == [
        "This file is empty. Choose the file of the document again."
    ]
    missing = client.post(url, form_data(None))
    assert missing.context["form"].errors["file"] == ["Choose the file of the document."]
    assert not Document.objects.exists()


def test_dates_that_make_no_sense_are_refused(personas, case, client_for):
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/documents/new/",
        form_data(upload("roi.pdf", PDF_BYTES), dated_on=days_ago(-1), expires_on=days_ago(5)),
    )
    errors = response.context["form"].errors
    assert errors["dated_on"] == ["The document's date cannot be in the future."]
    assert not Document.objects.exists()
    response = client_for(personas["door_coordinator"]).post(
        f"/mentoring/cases/{case.pk}/documents/new/",
        form_data(upload("roi.pdf", PDF_BYTES), dated_on=days_ago(2), expires_on=days_ago(5)),
    )
    assert response.context["form"].errors["expires_on"] == [
        "Enter a date on or after the document's date."
    ]


def test_the_parent_partner_adds_to_their_open_case_only(personas, case, door, client_for):
    partner = client_for(personas["door_parent_partner"])
    url = f"/mentoring/cases/{case.pk}/documents/new/"
    assert partner.post(url, form_data(upload("plan.png", PNG_BYTES))).status_code == 302
    assert Document.objects.get().content_type == "image/png"
    Document.objects.all().delete()
    # Not to a family they are not on, nor to the referral itself.
    other = assign_case(
        ReferralFactory(family__program=door, status=Status.ACCEPTED),
        personas["door_pp_coordinator"],
    )
    assert partner.get(f"/mentoring/cases/{other.pk}/documents/new/").status_code == 404
    assert partner.get(f"/mentoring/referrals/{case.referral_id}/documents/new/").status_code == 403
    # Not once the case is closed.
    case.status = CaseStatus.CLOSED
    case.closed_on = timezone.localdate()
    case.closure_outcome = "reunified"
    case.save()
    assert partner.get(url).status_code in (403, 404)


def test_a_coordinator_adds_a_consent_to_a_referral_and_the_case_shows_it_too(
    personas, door, client_for
):
    referral = ReferralFactory(family__program=door, status=Status.SCREENING)
    coordinator = client_for(personas["door_coordinator"])
    response = coordinator.post(
        f"/mentoring/referrals/{referral.pk}/documents/new/",
        form_data(upload("consent.pdf", PDF_BYTES), document_type=DocumentType.CONSENT),
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.referral, document.case) == (referral, None)
    referral_page = coordinator.get(referral.get_absolute_url()).content.decode()
    assert "Signed consent" in referral_page
    assert f"/mentoring/documents/{document.pk}/download/" in referral_page
    case = assign_case(referral, personas["door_parent_partner"])
    partner = client_for(personas["door_parent_partner"])
    assert "consent.pdf" in partner.get(case.get_absolute_url()).content.decode()
    assert partner.get(f"/mentoring/documents/{document.pk}/download/").status_code == 200


def test_a_document_belongs_to_one_referral_or_one_case(personas, case):
    document = add_document(case, personas["door_coordinator"])
    with pytest.raises(IntegrityError):
        Document.objects.filter(pk=document.pk).update(referral=case.referral)


# --- Reading a document -----------------------------------------------------------------


def test_a_download_is_an_attachment_not_sniffed_and_audited(personas, case, client_for):
    document = add_document(case, personas["door_coordinator"], name="Court order (Weber).pdf")
    response = client_for(personas["door_parent_partner"]).get(
        f"/mentoring/documents/{document.pk}/download/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Court order (Weber).pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    entry = AuditEntry.objects.get(
        action=AuditAction.VIEW, object_type="mentoring.document", object_id=str(document.pk)
    )
    assert entry.actor_username == personas["door_parent_partner"].username
    assert entry.changes == {"downloaded": "Court order (Weber).pdf"}
    assert entry.program_id == case.program_id


@pytest.mark.parametrize(
    "persona",
    ["rock_coordinator", "state", "admin", "door_social_worker", "door_clinical", "no_role"],
)
def test_who_is_not_on_the_family_gets_404_for_its_documents(personas, case, client_for, persona):
    document = add_document(case, personas["door_coordinator"])
    client = client_for(personas[persona])
    assert client.get(f"/mentoring/documents/{document.pk}/download/").status_code == 404
    page = client.get(case.get_absolute_url())
    assert "Signed consent.pdf" not in page.content.decode()
    assert not AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="mentoring.document"
    ).exists()


def test_a_parent_partner_not_on_the_case_gets_404(personas, case, door, client_for, make_member):
    document = add_document(case, personas["door_coordinator"])
    other_partner = make_member(door, "parent_partner", username="door-other-partner")
    client = client_for(other_partner)
    assert client.get(f"/mentoring/documents/{document.pk}/download/").status_code == 404
    assert client.get(f"/mentoring/cases/{case.pk}/documents/new/").status_code == 404
    # Nor the Parent Partner once taken off the case.
    case.assignments.update(ended_on=timezone.localdate())
    partner = client_for(personas["door_parent_partner"])
    assert partner.get(f"/mentoring/documents/{document.pk}/download/").status_code == 404


def test_another_countys_coordinator_gets_404_on_the_list_and_the_upload(
    personas, case, client_for
):
    add_document(case, personas["door_coordinator"])
    rock = client_for(personas["rock_coordinator"])
    assert rock.get(case.get_absolute_url()).status_code == 404
    assert rock.get(case.referral.get_absolute_url()).status_code == 404
    assert rock.get(f"/mentoring/cases/{case.pk}/documents/new/").status_code == 404
    assert rock.get(f"/mentoring/referrals/{case.referral_id}/documents/new/").status_code == 404


def test_a_file_gone_from_the_storage_is_404_not_a_server_error(personas, case, client_for):
    document = add_document(case, personas["door_coordinator"])
    storages["documents"].delete(document.stored_name)
    response = client_for(personas["door_coordinator"]).get(
        f"/mentoring/documents/{document.pk}/download/"
    )
    assert response.status_code == 404


def test_no_address_serves_the_stored_files(personas, case, client_for):
    document = add_document(case, personas["door_coordinator"])
    client = client_for(personas["door_coordinator"])
    for path in (f"/media/documents/{document.stored_name}", f"/media/{document.stored_name}"):
        assert client.get(path).status_code == 404


# --- Marking a document expired ---------------------------------------------------------


def test_the_coordinator_marks_a_release_expired_after_confirming(personas, case, client_for):
    document = add_document(case, personas["door_coordinator"], document_type=DocumentType.RELEASE)
    coordinator = client_for(personas["door_coordinator"])
    url = f"/mentoring/documents/{document.pk}/expire/"
    confirm = coordinator.get(url)
    assert confirm.status_code == 200
    document.refresh_from_db()
    assert document.expired_at is None  # asking is not doing
    response = coordinator.post(url)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.expired_by == personas["door_coordinator"]
    assert document.expired_at is not None
    entry = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="mentoring.document", object_id=str(document.pk)
    )
    assert set(entry.changes) == {"expired_at", "expired_by"}
    page = coordinator.get(case.get_absolute_url()).content.decode()
    assert "Expired" in page
    assert url not in page
    again = coordinator.post(url)
    assert "already marked expired" in again.content.decode()
    assert (
        AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(document.pk)).count()
        == 1
    )


def test_only_the_program_coordinator_marks_documents_expired(personas, case, client_for):
    document = add_document(case, personas["door_coordinator"])
    url = f"/mentoring/documents/{document.pk}/expire/"
    assert client_for(personas["door_parent_partner"]).post(url).status_code == 403
    assert client_for(personas["door_pp_coordinator"]).post(url).status_code == 403
    assert client_for(personas["rock_coordinator"]).post(url).status_code == 404
    document.refresh_from_db()
    assert document.expired_at is None


# --- The case page ----------------------------------------------------------------------


def test_the_case_page_reads_its_documents_in_a_fixed_number_of_queries(
    personas, case, client_for, django_assert_max_num_queries
):
    client = client_for(personas["door_coordinator"])
    client.get(case.get_absolute_url())
    for number in range(6):
        add_document(case, personas["door_coordinator"], name=f"order {number}.pdf")
    add_document(case.referral, personas["door_pp_coordinator"], name="consent.pdf")
    with django_assert_max_num_queries(45) as counted:
        page = client.get(case.get_absolute_url()).content.decode()
    assert "order 5.pdf" in page and "consent.pdf" in page
    few = len(counted)
    for number in range(6):
        add_document(case, personas["door_pp_coordinator"], name=f"plan {number}.pdf")
    with django_assert_max_num_queries(few):
        client.get(case.get_absolute_url())
