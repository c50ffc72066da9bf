"""Withdraws the reports state staff could read that were made before quarters closed.

Their race and ethnicity tables were counted from records that were still changing, with
hidden cells chosen for each version on its own (the oldest with "<5" beside "*"), so two of
them, or one of them and a later report, can be subtracted to work out a hidden count. Their
files are kept, so that nothing filed is lost, but nobody downloads them any more; a closed
quarter's reports are made again from its filed numbers.
"""

from django.db import migrations

REASON = (
    "Made before quarters were closed and filed: its race and ethnicity counts could be "
    "worked out by comparing it with another report of the quarter. Ask for the quarter's "
    "report again once the quarter is closed."
)


def withdraw(apps, schema_editor):
    Report = apps.get_model("reporting", "Report")
    Report.objects.filter(suppressed=True, filing__isnull=True).update(withdrawn_because=REASON)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_quarter_closing")]

    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop)]
