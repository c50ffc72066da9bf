"""Survey instruments in the Django admin: administrators (and the translators they work
with) see each question in English, Spanish and Hmong side by side, and fill the missing
words in the questions' list. Changes are allowed by the policy and audited."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from mentoring.models import HearingType, SurveyInstrument
from psp.admin import PolicyAdmin


@admin.register(SurveyInstrument)
class SurveyInstrumentAdmin(PolicyAdmin):
    list_display = ["name", "is_default", "questions_to_translate"]
    fields = ["name", "is_default", "question_table", "questions"]
    readonly_fields = ["question_table"]

    @admin.display(description=_("Questions without Spanish or Hmong words"))
    def questions_to_translate(self, instrument: SurveyInstrument) -> int:
        return sum(
            1
            for question in instrument.questions
            if not question.get("text_es") or not question.get("text_hmn")
        )

    @admin.display(description=_("Questions in each language"))
    def question_table(self, instrument: SurveyInstrument) -> SafeString:
        missing = str(_("Not translated yet: asked in English"))
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td lang='en'>{}</td>{}{}</tr>",
            (
                (
                    question.get("key", ""),
                    question.get("text", ""),
                    _cell(question.get("text_es", ""), "es", missing),
                    _cell(question.get("text_hmn", ""), "hmn", missing),
                )
                for question in instrument.questions or []
            ),
        )
        return format_html(
            "<table class='survey-languages'><caption>{}</caption><thead><tr>"
            "<th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("Edit the words in the questions' list below: text_es (Spanish), text_hmn (Hmong)."),
            _("Question"),
            _("English"),
            _("Spanish"),
            _("Hmong"),
            rows,
        )


def _cell(text: str, language: str, missing: str) -> SafeString:
    if text:
        return format_html("<td lang='{}'>{}</td>", language, text)
    return format_html("<td><em>{}</em></td>", missing)


@admin.register(HearingType)
class HearingTypeAdmin(PolicyAdmin):
    """The kinds of court hearing offered on the hearing form: those with no program are
    offered everywhere; a program's own court may add its kinds."""

    list_display = ["name", "program", "order", "active"]
    list_filter = ["active"]
    fields = ["name", "program", "order", "active"]
