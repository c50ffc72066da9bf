"""Every survey question gets a Hmong column, ``text_hmn``, empty until a translator
writes it (the survey asks in English meanwhile). Reversed, the empty ones go again."""

from django.db import migrations


def add_hmong(apps, schema_editor):
    SurveyInstrument = apps.get_model("mentoring", "SurveyInstrument")
    for instrument in SurveyInstrument.objects.all():
        questions = [{**question, "text_hmn": question.get("text_hmn", "")} for question in instrument.questions]
        if questions != instrument.questions:
            instrument.questions = questions
            instrument.save(update_fields=["questions"])


def remove_empty_hmong(apps, schema_editor):
    SurveyInstrument = apps.get_model("mentoring", "SurveyInstrument")
    for instrument in SurveyInstrument.objects.all():
        questions = [
            {key: value for key, value in question.items() if key != "text_hmn" or value}
            for question in instrument.questions
        ]
        if questions != instrument.questions:
            instrument.questions = questions
            instrument.save(update_fields=["questions"])


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0011_quality_panel_closed_cases_with_their_family")]

    operations = [migrations.RunPython(add_hmong, remove_empty_hmong)]
