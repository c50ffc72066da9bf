"""Anonymising closed families under the retention rule leaves every number of past quarterly
reports as it was: the rule clears who the families are, not what happened."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from mentoring.models import Case
from psp.models import Program
from referrals import retention
from referrals.models import Family, Referral, Status
from reporting import metrics
from tests.reporting.conftest import Q1, Q2, Councils

pytestmark = pytest.mark.django_db


def test_past_reports_do_not_change(data: Councils, door: Program, rock: Program) -> None:
    # The data set moves referrals through their timeline only; give each the status its
    # timeline ends in (assigned, with a case), so the closed ones are due.
    for referral in Referral.objects.all():
        last = referral.transitions.order_by("at", "id").last()
        assert last is not None
        status = Status.ASSIGNED if Case.objects.filter(referral=referral).exists() else None
        Referral.objects.filter(pk=referral.pk).update(status=status or last.to_status)
    reports = [(program, quarter) for program in (door, rock, None) for quarter in (Q1, Q2)]
    before = [metrics.quarter_report(program=program, quarter=q) for program, q in reports]

    # Every family closed by now is due with a cutoff of tomorrow.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    run = retention.anonymise_closed_families(cutoff=tomorrow)

    assert run.failed == []
    # Door: the family whose case closed and four whose referral was declined or withdrawn;
    # Rock: the family whose case closed. Open cases and referrals are left alone.
    assert len(run.anonymised) == 6
    assert Family.objects.filter(anonymised_at__isnull=False).count() == len(run.anonymised)
    after = [metrics.quarter_report(program=program, quarter=q) for program, q in reports]
    assert after == before
