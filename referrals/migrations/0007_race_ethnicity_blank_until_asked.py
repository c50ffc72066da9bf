"""A parent's race or ethnicity is blank until someone asks: "Prefer not to say" stops being
the default.

Until now the field started at "Prefer not to say" (``not_reported``), so a parent nobody had
asked looked like one who had declined to answer. From now on a new parent starts blank (no
answer recorded yet), and "Prefer not to say" is kept only when the parent says so.

Existing rows are left as they are. A stored ``not_reported`` may be a parent's real answer or
the old default for a question never asked, and nothing recorded tells the two apart; turning
them all blank would erase real answers, so they stay "Prefer not to say" and count as answered
in the data-quality panel and the reports. A coordinator who knows a parent was never asked
can clear the answer on the parent's page. No data is changed, so going back needs none
changed either: reversing only restores the old default.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0006_remove_referral_source_event'),
    ]

    operations = [
        migrations.AlterField(
            model_name='parent',
            name='race_ethnicity',
            field=models.CharField(blank=True, choices=[('american_indian', 'American Indian or Alaska Native'), ('asian', 'Asian'), ('black', 'Black or African American'), ('hispanic', 'Hispanic or Latino'), ('pacific_islander', 'Native Hawaiian or Other Pacific Islander'), ('white', 'White'), ('multiracial', 'Two or more races'), ('not_reported', 'Prefer not to say')], default='', max_length=20, verbose_name='race or ethnicity (self-reported)'),
        ),
    ]
