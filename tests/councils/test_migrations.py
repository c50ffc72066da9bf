"""The outreach event a referral came from moved from ``Referral.source_event`` (referrals) to
``ReferralSource`` (councils): the migrations carry every link across, and back again."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db.migrations.state import StateApps

from tests.factories import ProgramFactory
from tests.migrating import migrate, migrated_to

# Both tables in place, the links still in the referrals' column: before the data migration.
BEFORE = [("councils", "0003_referralsource"), ("referrals", "0005_removal_episodes")]
# The column gone, councils holding the links.
AFTER = [
    ("councils", "0004_referral_sources_from_referrals"),
    ("referrals", "0006_remove_referral_source_event"),
]

# Schema changes cannot run inside a test's transaction on SQLite.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_the_move() -> Iterator[StateApps]:
    with migrated_to(BEFORE) as apps:
        yield apps


def test_a_referrals_outreach_event_survives_the_move(before_the_move: StateApps) -> None:
    old = before_the_move
    program = ProgramFactory()
    Family = old.get_model("referrals", "Family")
    Referral = old.get_model("referrals", "Referral")
    OutreachEvent = old.get_model("councils", "OutreachEvent")
    talk, fair = (
        OutreachEvent.objects.create(
            program_id=program.pk, held_on=datetime.date(2026, 3, day), title=title,
            audience_type="agency",
        )
        for day, title in [(3, "Talk to CPS workers"), (17, "Resource fair")]
    )  # fmt: skip

    def referral(number: str, event: object) -> int:
        family = Family.objects.create(program_id=program.pk)
        return int(
            Referral.objects.create(
                program_id=program.pk, family=family, number=number,
                received_on=datetime.date(2026, 4, 1), referrer_name="Megan Schultz",
                source_event=event,
            ).pk
        )  # fmt: skip

    from_talk = [referral("DOOR-2026-0001", talk), referral("DOOR-2026-0002", talk)]
    from_fair = referral("DOOR-2026-0003", fair)
    unlinked = referral("DOOR-2026-0004", None)

    new = migrate(AFTER)
    ReferralSource = new.get_model("councils", "ReferralSource")
    assert set(ReferralSource.objects.values_list("referral_id", "event_id")) == {
        (from_talk[0], talk.pk),
        (from_talk[1], talk.pk),
        (from_fair, fair.pk),
    }
    assert "source_event" not in {
        field.name for field in new.get_model("referrals", "Referral")._meta.get_fields()
    }

    # And back: the column holds the same links again.
    old = migrate(BEFORE)
    links = dict(old.get_model("referrals", "Referral").objects.values_list("pk", "source_event"))
    assert not old.get_model("councils", "ReferralSource").objects.exists()
    assert links == {
        from_talk[0]: talk.pk,
        from_talk[1]: talk.pk,
        from_fair: fair.pk,
        unlinked: None,
    }
