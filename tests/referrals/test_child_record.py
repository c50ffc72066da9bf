"""A child's page and record: stays in care (removal episodes) and their placements, dates
validated for sense, no silent overwrites, everything audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from psp.models import AuditAction, AuditEntry
from referrals.models import (
    Child,
    DischargeReason,
    OutOfHomeCareType,
    PlacementChange,
    PlacementStatus,
    RemovalEpisode,
    RemovalReason,
    Sex,
)
from tests.factories import RemovalEpisodeFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def child_data(child: Child, version: int, **changes: str) -> dict[str, str]:
    assert child.birth_date is not None
    data = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "birth_date_day": str(child.birth_date.day),
        "birth_date_month": str(child.birth_date.month),
        "birth_date_year": str(child.birth_date.year),
        "version": str(version),
    }
    data.update(changes)
    return data


def episode_data(version: int, **values: object) -> dict[str, str]:
    data = {"removed_on": "", "discharged_on": "", "discharge_reason": "", "setting": "foster"}
    data.update({name: str(value) for name, value in values.items()})
    data["version"] = str(version)
    return data


def test_the_child_page_lists_stays_and_placements(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    PlacementChange.objects.create(
        episode=episode, started_on=episode.removed_on + 10 * DAY, setting=OutOfHomeCareType.FOSTER
    )
    response = client_for(personas["door_coordinator"]).get(f"/referrals/children/{child.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "still in care" in page
    assert "With a relative (kinship care)" in page and "Foster home" in page
    assert "In out-of-home care: Foster home" in " ".join(page.split())  # the latest placement
    assert f"/referrals/episodes/{episode.pk}/edit/" in page
    assert f"/referrals/episodes/{episode.pk}/placements/new/" in page
    # Showing a family's record is audited.
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="referrals.child", object_id=str(child.pk)
    ).exists()


def test_the_referral_lists_each_childs_stays(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    RemovalEpisode.objects.filter(pk=episode.pk).update(
        discharged_on=episode.removed_on + 20 * DAY, discharge_reason=DischargeReason.ADOPTION
    )
    page = client_for(personas["door_coordinator"]).get(f"/referrals/{door_referral.pk}/")
    text = " ".join(page.content.decode().split())
    assert "left care" in text and "(Adoption)" in text
    assert f"/referrals/children/{child.pk}/" in text


def test_coordinator_records_leaving_care_then_a_second_stay(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    client = client_for(personas["door_coordinator"])
    home = episode.removed_on + 30 * DAY
    response = client.post(
        f"/referrals/episodes/{episode.pk}/edit/",
        episode_data(
            door_referral.family.version,
            removed_on=episode.removed_on,
            discharged_on=home,
            discharge_reason=DischargeReason.REUNIFICATION,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/children/{child.pk}/"
    episode.refresh_from_db()
    assert (episode.discharged_on, episode.discharge_reason) == (home, "reunification")
    assert episode.days_in_care == 30
    entry = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="referrals.removalepisode"
    )
    assert entry.changes["discharge_reason"] == ["", DischargeReason.REUNIFICATION]

    # Removed again five days after going home: a new stay, in a group home.
    door_referral.family.refresh_from_db()
    again = home + 5 * DAY
    response = client.post(
        f"/referrals/children/{child.pk}/episodes/new/",
        episode_data(door_referral.family.version, removed_on=again, setting="group"),
    )
    assert response.status_code == 302
    child = Child.objects.prefetch_related("episodes__placements").get(pk=child.pk)
    assert [e.removed_on for e in child.episode_list] == [episode.removed_on, again]
    assert child.placement_status == PlacementStatus.OUT_OF_HOME
    placement = child.current_placement
    assert placement is not None
    assert (placement.setting, placement.started_on) == (OutOfHomeCareType.GROUP, again)
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="referrals.placementchange"
    ).exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        # A second stay while the first is still open.
        (
            {"removed_on": "today"},
            "removed_on",
            "The child is still in care from an earlier removal",
        ),
        ({"removed_on": "tomorrow"}, "removed_on", "cannot be in the future"),
        ({"removed_on": "2018-01-01"}, "removed_on", "on or after the date of birth"),
        (
            {"removed_on": "long_ago", "discharged_on": "longer_ago", "discharge_reason": "other"},
            "discharged_on",
            "must be on or after the removal date",
        ),
        (
            {"removed_on": "long_ago", "discharged_on": "long_ago"},
            "discharge_reason",
            "Choose why the child left care.",
        ),
        (
            {"removed_on": "long_ago", "discharge_reason": "adoption"},
            "discharged_on",
            "Enter the date the child left care, or leave the reason empty.",
        ),
        ({"setting": ""}, "setting", "Choose where the child was placed first."),
    ],
)
def test_stays_that_make_no_sense_are_refused_at_the_field(
    personas, door_referral, client_for, values, field, message
):
    child = door_referral.family.children.get()
    today = timezone.localdate()
    days = {
        "today": today,
        "tomorrow": today + DAY,
        "long_ago": datetime.date(2020, 3, 1),
        "longer_ago": datetime.date(2020, 2, 1),
    }
    data = episode_data(
        door_referral.family.version,
        **{"removed_on": today, **{name: days.get(v, v) for name, v in values.items()}},
    )
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/episodes/new/", data
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}' in page  # radios: their first option
    assert child.episodes.count() == 1


def test_overlapping_stays_are_refused(door_referral):
    child = door_referral.family.children.get()
    RemovalEpisode.objects.filter(child=child).delete()
    RemovalEpisodeFactory(
        child=child,
        removed_on=datetime.date(2024, 1, 1),
        discharged_on=datetime.date(2024, 3, 1),
    )
    # Inside the first stay, straddling its start, and covering it: refused.
    for removed_on, discharged_on in [
        (datetime.date(2024, 2, 1), None),
        (datetime.date(2023, 12, 1), datetime.date(2024, 1, 2)),
        (datetime.date(2023, 12, 1), datetime.date(2024, 4, 1)),
    ]:
        episode = RemovalEpisode(
            child=child,
            removed_on=removed_on,
            discharged_on=discharged_on,
            discharge_reason="other" if discharged_on else "",
        )
        assert episode.overlapping_episode() is not None, (removed_on, discharged_on)
    # Removed again on the day the child went home, or ending the day the first began: fine.
    for removed_on, discharged_on in [
        (datetime.date(2024, 3, 1), None),
        (datetime.date(2023, 12, 1), datetime.date(2024, 1, 1)),
    ]:
        episode = RemovalEpisode(child=child, removed_on=removed_on, discharged_on=discharged_on)
        assert episode.overlapping_episode() is None, (removed_on, discharged_on)


def test_the_database_refuses_a_discharge_before_the_removal(door_referral):
    child = door_referral.family.children.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        RemovalEpisode.objects.create(
            child=child,
            removed_on=datetime.date(2024, 5, 1),
            discharged_on=datetime.date(2024, 4, 30),
            discharge_reason="other",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RemovalEpisode.objects.create(
            child=child,
            removed_on=datetime.date(2023, 5, 1),
            discharged_on=datetime.date(2024, 1, 1),
        )  # left care without a reason


def test_ages_at_entry_and_discharge_follow_the_date_of_birth(door_referral):
    child = door_referral.family.children.get()
    child.birth_date = datetime.date(2006, 9, 2)
    child.save()
    episode = RemovalEpisode(
        child=child,
        removed_on=datetime.date(2024, 9, 1),  # the day before the 18th birthday
        discharged_on=datetime.date(2024, 9, 2),  # the 18th birthday
        discharge_reason=DischargeReason.EMANCIPATION,
    )
    assert (episode.age_at_entry, episode.age_at_discharge) == (17, 18)
    child.birth_date = datetime.date(2006, 9, 1)  # corrected: nothing stored goes stale
    assert episode.age_at_entry == 18


def test_a_move_within_a_stay(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    client = client_for(personas["door_coordinator"])
    moved = episode.removed_on + 7 * DAY
    response = client.post(
        f"/referrals/episodes/{episode.pk}/placements/new/",
        {"started_on": moved.isoformat(), "setting": "foster", "version": "1"},
    )
    assert response.status_code == 302
    placement = episode.placements.get(started_on=moved)
    assert placement.setting == OutOfHomeCareType.FOSTER
    # Corrected to a residential centre.
    door_referral.family.refresh_from_db()
    response = client.post(
        f"/referrals/placements/{placement.pk}/edit/",
        {
            "started_on": moved.isoformat(),
            "setting": "residential",
            "version": str(door_referral.family.version),
        },
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.setting == OutOfHomeCareType.RESIDENTIAL
    entry = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="referrals.placementchange"
    )
    assert entry.changes == {"setting": ["foster", "residential"]}


def test_a_move_outside_the_stay_is_refused(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    before = episode.removed_on - DAY
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/episodes/{episode.pk}/placements/new/",
        {"started_on": before.isoformat(), "setting": "foster", "version": "1"},
    )
    assert response.status_code == 200
    assert "Enter a date on or after the removal" in response.content.decode()
    assert episode.placements.count() == 1


def test_correcting_the_removal_date_moves_the_first_placement(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    earlier = episode.removed_on - 3 * DAY
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/episodes/{episode.pk}/edit/",
        episode_data(door_referral.family.version, removed_on=earlier),
    )
    assert response.status_code == 302
    assert episode.placements.get().started_on == earlier


def test_the_date_of_birth_cannot_move_after_a_removal(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    removed_on = child.episodes.get().removed_on
    late = removed_on + DAY
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/",
        child_data(
            child,
            door_referral.family.version,
            birth_date_day=str(late.day),
            birth_date_month=str(late.month),
            birth_date_year=str(late.year),
        ),
    )
    assert response.status_code == 200
    assert "The child has a removal before this date of birth" in response.content.decode()


def test_coordinator_corrects_the_childs_name(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/",
        child_data(child, door_referral.family.version, first_name="Lily"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/children/{child.pk}/"
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="referrals.child")
    assert entry.changes["first_name"][1] == "Lily"


def test_two_people_correcting_the_same_family(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    opened = door_referral.family.version
    first = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/", child_data(child, opened, first_name="Lily")
    )
    assert first.status_code == 302
    second = client_for(personas["door_pp_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/", child_data(child, opened, first_name="Lilly")
    )
    assert second.status_code == 200
    assert "Someone else changed this record" in second.content.decode()
    assert 'value="Lilly"' in second.content.decode()
    child.refresh_from_db()
    assert child.first_name == "Lily"


def test_two_people_recording_the_same_stay(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    opened = door_referral.family.version
    home = (episode.removed_on + 10 * DAY).isoformat()
    data = episode_data(
        opened, removed_on=episode.removed_on, discharged_on=home, discharge_reason="other"
    )
    first = client_for(personas["door_coordinator"]).post(
        f"/referrals/episodes/{episode.pk}/edit/", data
    )
    assert first.status_code == 302
    second = client_for(personas["door_pp_coordinator"]).post(
        f"/referrals/episodes/{episode.pk}/edit/",
        {**data, "discharge_reason": "reunification"},
    )
    assert second.status_code == 200
    assert "Someone else changed this record" in second.content.decode()
    episode.refresh_from_db()
    assert episode.discharge_reason == "other"


def test_other_programs_and_referrers_do_not_see_the_child(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    for persona, status in [("rock_coordinator", 404), ("door_social_worker", 403)]:
        client = client_for(personas[persona])
        assert client.get(f"/referrals/children/{child.pk}/").status_code == status
        assert client.get(f"/referrals/episodes/{episode.pk}/edit/").status_code == status


def test_a_stay_records_why_the_child_was_removed(personas, door_referral, client_for):
    """The agency's removal reasons and the child's sex, which the outcomes comparison
    matches on, are recorded on the child's page and shown there."""
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    client = client_for(personas["door_coordinator"])
    data: dict[str, object] = {
        **episode_data(door_referral.family.version, removed_on=episode.removed_on)
    }
    data["removal_reasons"] = [RemovalReason.NEGLECT, RemovalReason.PARENT_DRUG_ABUSE]
    response = client.post(f"/referrals/episodes/{episode.pk}/edit/", data)
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.removal_reasons == ["neglect", "parent_drug_abuse"]
    entry = AuditEntry.objects.get(
        action=AuditAction.UPDATE, object_type="referrals.removalepisode"
    )
    assert entry.changes["removal_reasons"] == [[], ["neglect", "parent_drug_abuse"]]
    door_referral.family.refresh_from_db()
    response = client.post(
        f"/referrals/children/{child.pk}/edit/",
        child_data(child, door_referral.family.version, sex=Sex.FEMALE),
    )
    assert response.status_code == 302
    page = client.get(f"/referrals/children/{child.pk}/").content.decode()
    assert "Neglect, Parent&#x27;s drug use" in page
    assert "Female" in page


def test_an_unknown_removal_reason_is_refused_at_the_field(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    episode = child.episodes.get()
    data: dict[str, object] = {
        **episode_data(door_referral.family.version, removed_on=episode.removed_on)
    }
    data["removal_reasons"] = ["neglect", "<script>"]
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/episodes/{episode.pk}/edit/", data
    )
    assert response.status_code == 200
    assert "removal_reasons" in response.context["form"].errors
    episode.refresh_from_db()
    assert episode.removal_reasons == []


def test_the_model_refuses_reasons_that_are_not_on_the_list(door_referral):
    episode = door_referral.family.children.get().episodes.get()
    episode.removal_reasons = ["neglect", "made_up"]
    with pytest.raises(ValidationError) as refused:
        episode.full_clean()
    assert "removal_reasons" in refused.value.message_dict
