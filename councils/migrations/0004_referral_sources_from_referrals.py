"""Copy every referral's outreach event (``Referral.source_event``) into ``ReferralSource``.

Runs while the referrals table still has the column; ``referrals.0005`` drops it afterwards.
Backwards, the events are moved back into the column, which ``referrals.0005`` unapplied has
just restored, and the table is left empty as ``0003`` made it.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH_SIZE = 1000


def to_referral_sources(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    ReferralSource = apps.get_model("councils", "ReferralSource")
    linked = (
        Referral.objects.filter(source_event__isnull=False)
        .order_by("pk")
        .values_list("pk", "source_event_id")
    )
    batch = []
    for referral_id, event_id in linked.iterator(chunk_size=BATCH_SIZE):
        batch.append(ReferralSource(referral_id=referral_id, event_id=event_id))
        if len(batch) == BATCH_SIZE:
            ReferralSource.objects.bulk_create(batch)
            batch = []
    ReferralSource.objects.bulk_create(batch)


def to_source_events(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    ReferralSource = apps.get_model("councils", "ReferralSource")
    event = ReferralSource.objects.filter(referral_id=OuterRef("pk")).values("event_id")[:1]
    linked = Referral.objects.filter(pk__in=ReferralSource.objects.values("referral_id"))
    linked.update(source_event_id=Subquery(event))
    ReferralSource.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('councils', '0003_referralsource'),
        ('referrals', '0004_family_anonymised_at'),
    ]

    operations = [
        migrations.RunPython(to_referral_sources, to_source_events),
    ]
