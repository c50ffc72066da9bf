"""The case list of every program (state staff and administrators see all of them), newest
first, a page at a time: without this index each page sorted every open case in the state."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0007_case_last_contact_kept_by_the_database")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["status", "opened_on", "id"], name="mentoring_c_status_756376_idx"
            ),
        ),
    ]
