"""Writes for the state comparison extract: taking an upload (the task
``reporting.tasks.check_comparison_extract`` then checks it and stores its rows), putting a
checked extract in use in place of the one before, and discarding one. Each is audited.

(Kept apart from ``reporting.services`` while another change is made there; it may move in.)
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from psp import audit
from psp.models import AuditAction, User
from reporting.models import ComparisonEpisode, ComparisonExtract, ExtractStatus
from reporting.tasks import (
    check_comparison_extract,
    delete_extract_file,
    extract_storage,
    send_compare_outcomes,
)

logger = logging.getLogger(__name__)

STORED_PREFIX = "comparison-extracts/"
# The first key of the transaction lock that puts extracts in use one at a time.
USE_LOCK_NAMESPACE = 7_303
AUDITED_FIELDS = ["file_name", "period_start", "period_end", "data_as_of", "note", "status",
                  "uploaded_by"]  # fmt: skip


def comparison_extract_upload(
    *,
    actor: User,
    upload: UploadedFile,
    period_start: datetime.date,
    period_end: datetime.date,
    data_as_of: datetime.date,
    note: str = "",
) -> ComparisonExtract:
    """Keep the uploaded file and a new extract being checked; the check starts once the
    transaction commits (in the worker, or here when tasks run in-process)."""
    extract = ComparisonExtract(
        uploaded_by=actor,
        file_name=(upload.name or "extract.csv")[-255:],
        period_start=period_start,
        period_end=period_end,
        data_as_of=data_as_of,
        note=note,
        status=ExtractStatus.CHECKING,
    )
    extract.full_clean(exclude=["stored_name"])
    storage = extract_storage()
    extract.stored_name = storage.save(f"{STORED_PREFIX}{uuid.uuid4().hex}.csv", upload)
    try:
        with transaction.atomic():
            extract.save()
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=extract,
                changes=audit.snapshot(extract, AUDITED_FIELDS),
            )
            transaction.on_commit(lambda: _send(extract.pk))
    except BaseException:
        storage.delete(extract.stored_name)
        raise
    return extract


def _send(extract_id: int) -> None:
    try:
        check_comparison_extract.delay(extract_id)
    except Exception as error:  # noqa: BLE001 - kombu, redis and socket errors alike
        # The extract stays "being checked"; after a while its page offers to discard it.
        logger.warning("Comparison extract %s could not be sent to the worker (%s)", extract_id,
                       error)  # fmt: skip


def _one_at_a_time() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [USE_LOCK_NAMESPACE])


def _set_status(actor: User, extract: ComparisonExtract, status: str) -> None:
    before = extract.status
    extract.status = status
    extract.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=extract,
        changes={"status": [before, status]},
    )


@transaction.atomic
def comparison_extract_use(*, actor: User, extract: ComparisonExtract) -> ComparisonExtract:
    """Put a checked extract in use: the one in use before is replaced (its rows deleted)."""
    _one_at_a_time()
    extract = ComparisonExtract.objects.select_for_update().get(pk=extract.pk)
    if extract.status != ExtractStatus.CHECKED:
        raise ValidationError(
            _("Only a checked extract can be put in use. This one is: %(status)s.")
            % {"status": extract.get_status_display()}
        )
    if extract.rows_accepted == 0:
        raise ValidationError(_("No row of this extract was accepted: there is nothing to use."))
    for previous in ComparisonExtract.objects.select_for_update().filter(
        status=ExtractStatus.IN_USE
    ):
        ComparisonEpisode.objects.filter(extract=previous).delete()
        _set_status(actor, previous, ExtractStatus.REPLACED)
    try:
        with transaction.atomic():
            _set_status(actor, extract, ExtractStatus.IN_USE)
            # The outcomes compared afresh with it (``reporting.outcomes``).
            transaction.on_commit(send_compare_outcomes)
    except IntegrityError as error:  # another was put in use at the same moment
        raise ValidationError(_("Another extract was put in use at the same moment. Try again.")) \
            from error  # fmt: skip
    return extract


@transaction.atomic
def comparison_extract_discard(*, actor: User, extract: ComparisonExtract) -> ComparisonExtract:
    """Discard an extract that is checked (or whose check stopped): its rows and file go."""
    extract = ComparisonExtract.objects.select_for_update().get(pk=extract.pk)
    if not extract.can_be_discarded:
        raise ValidationError(
            _("This extract cannot be discarded. It is: %(status)s.")
            % {"status": extract.get_status_display()}
        )
    ComparisonEpisode.objects.filter(extract=extract).delete()
    stored = extract.stored_name
    if stored:
        extract.stored_name = ""
        extract.save(update_fields=["stored_name"])
        transaction.on_commit(lambda: delete_extract_file(stored))
    _set_status(actor, extract, ExtractStatus.DISCARDED)
    return extract
