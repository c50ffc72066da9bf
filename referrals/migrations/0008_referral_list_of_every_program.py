"""The referral list of every program (state staff and administrators see all of them),
newest first, a page at a time: without this index each page sorted every referral in the
state (280 ms at ten years of statewide data)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_race_ethnicity_blank_until_asked")]

    operations = [
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["received_on", "id"], name="referrals_r_receive_50d84b_idx"),
        ),
    ]
