"""The printed notice a program hands to parents: what Parents Supporting Parents is, and a
form on which they agree (or not) to be contacted.

Its words are in the gettext catalogue under the context "notice for parents", one entry per
paragraph, so a translator fills them like any other string (English, Spanish, and Hmong once
a translator has). The notice is rendered with the catalogue of the language asked for; a
language whose catalogue does not translate every paragraph gets the English notice, and says
so to the person printing it, so nobody hands a parent English words believing they are Hmong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import pgettext

from referrals.models import Language, Referral

# The languages the notice can be asked for. A parent whose preferred language is "other"
# is offered the English notice (and an interpreter).
NOTICE_LANGUAGES = (Language.ENGLISH, Language.SPANISH, Language.HMONG)

# Where anyone can ask for the notice in another format or language: the Department of
# Children and Families' own statement on alternate formats and its relay service.
DCF_PHONE = "608-422-7000"
RELAY_PHONE = "711"


def _paragraphs() -> dict[str, str]:
    """The notice's words in the active language (the English ones under no language)."""
    return {
        "title": pgettext("notice for parents", "A Parent Partner can help you"),
        "what_heading": pgettext("notice for parents", "What is Parents Supporting Parents?"),
        "what": pgettext(
            "notice for parents",
            "Parents Supporting Parents is a free program for parents who have a child "
            "welfare case. It puts you in touch with a Parent Partner.",
        ),
        "partner": pgettext(
            "notice for parents",
            "A Parent Partner is a parent who has been through the child welfare system "
            "too. They can listen, help you understand your case and the court, go with you "
            "to meetings, and help you find housing, food and other help.",
        ),
        "not_cps": pgettext(
            "notice for parents",
            "Parent Partners do not work for Child Protective Services. They do not make "
            "decisions about your case.",
        ),
        "private": pgettext(
            "notice for parents",
            "What you tell your Parent Partner stays private. There is one exception: like "
            "everyone who works with families, they must report it if a child is not safe.",
        ),
        "choice_heading": pgettext("notice for parents", "It is your choice"),
        "choice": pgettext(
            "notice for parents",
            "Taking part is up to you. If you say no, nothing changes in your case. You can "
            "stop at any time.",
        ),
        "consent_heading": pgettext("notice for parents", "May we contact you?"),
        "consent_how": pgettext("notice for parents", "Tick one box, then sign below."),
        "consent_yes": pgettext(
            "notice for parents",
            "Yes. I agree that %(program)s may contact me about a Parent Partner.",
        ),
        "consent_no": pgettext("notice for parents", "No. Please do not contact me."),
        "reach_me": pgettext(
            "notice for parents", "The best way to reach me (phone, text, e-mail):"
        ),
        "reach_time": pgettext("notice for parents", "The best time to reach me:"),
        "name": pgettext("notice for parents", "Your name:"),
        "signature": pgettext("notice for parents", "Your signature:"),
        "date": pgettext("notice for parents", "Date:"),
        "office": pgettext("notice for parents", "For the program: referral %(number)s"),
        "questions_heading": pgettext("notice for parents", "Questions?"),
        "contact": pgettext(
            "notice for parents", "Write to %(program)s at %(email)s, or ask your social worker."
        ),
        "contact_no_email": pgettext("notice for parents", "Ask your social worker."),
        "formats": pgettext(
            "notice for parents",
            "You can ask for this notice in large print, in another language or in another "
            "format. If you have a disability and need to use our services, call the "
            "Division of Safety and Permanence at %(phone)s. If you are deaf, hard of "
            "hearing, deaf-blind or have a speech disability, use the free Wisconsin Relay "
            "Service: %(relay)s.",
        ),
    }


@dataclass(frozen=True)
class Notice:
    """The notice as it will be printed. ``language`` is the language of its words, which
    is English when the one asked for (``asked``) is not translated yet."""

    asked: str
    language: str
    text: dict[str, str]
    missing: list[str] = field(default_factory=list)

    @property
    def is_fallback(self) -> bool:
        return self.language != self.asked


def english_paragraphs() -> dict[str, str]:
    """The msgids themselves: what gettext returns when no catalogue has them."""
    with translation.override(None):
        return _paragraphs()


def untranslated(language: str) -> list[str]:
    """The notice's paragraphs that ``language``'s catalogue does not translate yet."""
    english = english_paragraphs()
    if language == Language.ENGLISH:
        return []
    with translation.override(language):
        words = _paragraphs()
    return [key for key, text in words.items() if text == english[key]]


def notice_for(referral: Referral, language: str) -> Notice:
    """The notice for ``referral``'s parents in ``language``, or in English (saying so)
    when that language's catalogue lacks any paragraph: never half one, half the other."""
    missing = untranslated(language)
    printed = Language.ENGLISH if missing else language
    with translation.override(printed):
        words = _paragraphs()
    program = referral.program
    values = {
        "program": program.name,
        "email": program.contact_email,
        "number": referral.number,
        "phone": DCF_PHONE,
        "relay": RELAY_PHONE,
    }
    text = {key: value % values if "%(" in value else value for key, value in words.items()}
    return Notice(asked=language, language=printed, text=text, missing=missing)
