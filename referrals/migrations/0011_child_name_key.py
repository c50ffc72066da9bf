"""A child's name without accents or case (``name_key``), as parents already have: the
coordinators' search finds "Inés" from "ines". Filled here for the children already
recorded; ``Child.save`` keeps it after."""

from django.db import migrations, models

from referrals.models import normalize_name

BATCH = 2000


def fill(apps, schema_editor):
    Child = apps.get_model("referrals", "Child")
    rows = Child.objects.order_by("pk").values_list("pk", "first_name", "last_name")
    changed = []
    for pk, first, last in rows.iterator(chunk_size=BATCH):
        changed.append(Child(pk=pk, name_key=normalize_name(first, last)))
        if len(changed) == BATCH:
            Child.objects.bulk_update(changed, ["name_key"])
            changed = []
    Child.objects.bulk_update(changed, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0010_quality_panel_families_and_stays"),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=170),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
