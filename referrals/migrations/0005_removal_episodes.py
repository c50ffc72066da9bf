"""A child's stays in out-of-home care become removal episodes with a placement history.

Until now a child had one removal date, one permanency date and type, one re-entry date and
one "type of out-of-home care". Each child's dates become episodes: the first from the removal
to the permanency date (with its type as the reason), and, when the child re-entered care, a
second one from the re-entry date, still open. The type of care becomes the first placement
of the stay the child is in now (or of the last stay, where the dates say the child went home
but the type was never cleared). Dates that break the old rules are not guessed at: a
permanency date before the removal, or a re-entry before the permanency, is left out, and
the record can be completed on the child's page.
"""

import django.db.models.deletion
from django.db import migrations, models


def dates_to_episodes(apps, schema_editor):
    Child = apps.get_model("referrals", "Child")
    RemovalEpisode = apps.get_model("referrals", "RemovalEpisode")
    PlacementChange = apps.get_model("referrals", "PlacementChange")
    children = Child.objects.exclude(removal_date=None).order_by("pk")
    for child in children.iterator():
        permanency = child.permanency_date
        if permanency is not None and permanency < child.removal_date:
            permanency = None
        episodes = [
            RemovalEpisode.objects.create(
                child=child,
                removed_on=child.removal_date,
                discharged_on=permanency,
                discharge_reason=(child.permanency_type or "other") if permanency else "",
            )
        ]
        reentry = child.reentry_date
        if (
            permanency is not None
            and reentry is not None
            and reentry >= permanency
            and reentry != child.removal_date
        ):
            episodes.append(RemovalEpisode.objects.create(child=child, removed_on=reentry))
        if child.out_of_home_type:
            current = episodes[-1]
            PlacementChange.objects.create(
                episode=current, started_on=current.removed_on, setting=child.out_of_home_type
            )


def episodes_to_dates(apps, schema_editor):
    """Back to one removal, permanency and re-entry per child: the first two stays."""
    Child = apps.get_model("referrals", "Child")
    RemovalEpisode = apps.get_model("referrals", "RemovalEpisode")
    PlacementChange = apps.get_model("referrals", "PlacementChange")
    for child in Child.objects.order_by("pk").iterator():
        episodes = list(RemovalEpisode.objects.filter(child=child).order_by("removed_on"))
        if not episodes:
            continue
        first = episodes[0]
        child.removal_date = first.removed_on
        child.permanency_date = first.discharged_on
        child.permanency_type = first.discharge_reason if first.discharged_on else ""
        child.reentry_date = episodes[1].removed_on if len(episodes) > 1 else None
        current = episodes[-1] if episodes[-1].discharged_on is None else None
        child.placement_status = "out_of_home" if current else "at_home"
        placement = (
            PlacementChange.objects.filter(episode=current).order_by("-started_on").first()
            if current
            else None
        )
        child.out_of_home_type = placement.setting if placement else ""
        child.save()


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0004_family_anonymised_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='RemovalEpisode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('removed_on', models.DateField(verbose_name='date removed from home')),
                ('discharged_on', models.DateField(blank=True, null=True, verbose_name='date left care')),
                ('discharge_reason', models.CharField(blank=True, choices=[('reunification', 'Reunification with parents'), ('relative_custody', 'Living with other relatives'), ('guardianship', 'Guardianship'), ('adoption', 'Adoption'), ('emancipation', 'Reached adulthood (aged out)'), ('other', 'Other')], max_length=20, verbose_name='why the child left care')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('child', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='episodes', to='referrals.child')),
            ],
            options={
                'ordering': ['removed_on', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PlacementChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_on', models.DateField(verbose_name='date the child moved there')),
                ('setting', models.CharField(choices=[('relative', 'With a relative (kinship care)'), ('foster', 'Foster home'), ('group', 'Group home'), ('residential', 'Residential care center'), ('other', 'Other')], max_length=20, verbose_name='type of out-of-home care')),
                ('episode', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='placements', to='referrals.removalepisode')),
            ],
            options={
                'ordering': ['started_on', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='removalepisode',
            constraint=models.CheckConstraint(condition=models.Q(('discharged_on__isnull', True), ('discharged_on__gte', models.F('removed_on')), _connector='OR'), name='episode_discharged_after_removal'),
        ),
        migrations.AddConstraint(
            model_name='removalepisode',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('discharge_reason', ''), ('discharged_on__isnull', True)), models.Q(('discharged_on__isnull', False), models.Q(('discharge_reason', ''), _negated=True)), _connector='OR'), name='episode_discharge_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='removalepisode',
            constraint=models.UniqueConstraint(fields=('child', 'removed_on'), name='one_episode_per_child_and_removal_day'),
        ),
        migrations.AddConstraint(
            model_name='placementchange',
            constraint=models.UniqueConstraint(fields=('episode', 'started_on'), name='one_placement_change_per_day'),
        ),
        migrations.RunPython(dates_to_episodes, episodes_to_dates),
        migrations.RemoveField(
            model_name='child',
            name='out_of_home_type',
        ),
        migrations.RemoveField(
            model_name='child',
            name='permanency_date',
        ),
        migrations.RemoveField(
            model_name='child',
            name='permanency_type',
        ),
        migrations.RemoveField(
            model_name='child',
            name='placement_status',
        ),
        migrations.RemoveField(
            model_name='child',
            name='reentry_date',
        ),
        migrations.RemoveField(
            model_name='child',
            name='removal_date',
        ),
    ]
