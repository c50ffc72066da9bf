"""Follow-ups: the "next step" of a contact becomes something someone does by a day.

Each open case's latest contact with a next step opens a follow-up, due a week after the
contact, for its Parent Partner (or whoever logged it); older next steps were overtaken by
the contacts after them and stay in the contact history only.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    Activity = apps.get_model("mentoring", "Activity")
    FollowUp = apps.get_model("mentoring", "FollowUp")
    latest = {}
    contacts = (
        Activity.objects.filter(case__status="open")
        .exclude(next_step="")
        .select_related("parent_partner")
        .order_by("case_id", "-occurred_on", "-id")
    )
    for contact in contacts.iterator():
        latest.setdefault(contact.case_id, contact)
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                case_id=contact.case_id,
                what=contact.next_step,
                due_on=contact.occurred_on + datetime.timedelta(days=7),
                owner_id=contact.parent_partner.user_id or contact.created_by_id,
                from_contact=contact,
                created_by_id=contact.created_by_id,
            )
            for contact in latest.values()
            if contact.parent_partner.user_id or contact.created_by_id
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('mentoring', '0015_documents'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='remindersent',
            name='kind',
            field=models.CharField(choices=[('no_contact', 'No contact in 14 days'), ('court_hearing', 'Court hearing within 7 days'), ('no_clinical_session', 'No clinical support session this month'), ('follow_up_due', 'Follow-up due')], max_length=30),
        ),
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('what', models.CharField(max_length=300, verbose_name='what to do')),
                ('due_on', models.DateField(verbose_name='by')),
                ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='mentoring.case')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='done by')),
                ('from_contact', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='follow_up', to='mentoring.activity', verbose_name='from the contact')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='follow_ups', to=settings.AUTH_USER_MODEL, verbose_name='who')),
            ],
            options={
                'verbose_name': 'follow-up',
                'verbose_name_plural': 'follow-ups',
                'ordering': ['due_on', 'id'],
                'indexes': [models.Index(condition=models.Q(('done_at__isnull', True)), fields=['owner', 'due_on'], name='follow_up_open_by_owner'), models.Index(fields=['case', 'due_on'], name='follow_up_case_due')],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
