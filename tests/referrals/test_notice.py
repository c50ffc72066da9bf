"""The notice for parents: what the program is and a form to agree to be contacted, printed
in the parents' language (English when the language has no translation yet, saying so) and
in large print on request."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from django.conf import settings
from django.test import Client
from django.utils import translation

from psp.models import AuditAction, AuditEntry, Program, Role, User
from referrals import notices
from referrals.models import Language, Referral
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import assign_case

pytestmark = pytest.mark.django_db

SPANISH_TITLE = "Un Padre o madre aliado(a) puede ayudarle"
ENGLISH_TITLE = "A Parent Partner can help you"


def notice_page(client: Client, referral: Referral, **query: str) -> BeautifulSoup:
    response = client.get(f"/referrals/{referral.pk}/notice/", query)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def one(page: Tag, selector: str) -> Tag:
    found = page.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def page_language(page: Tag) -> str:
    return str(one(page, "html")["lang"])


def notice_title(page: Tag) -> str:
    return one(page, "article.notice h1").get_text()


TITLES = {"en": ENGLISH_TITLE, "es": SPANISH_TITLE}


def shown_notice(client: Client, referral: Referral, language: str) -> tuple[BeautifulSoup, str]:
    """The notice page, checked to be in ``language`` with that language's title, and the
    notice's text."""
    page = notice_page(client, referral)
    assert page_language(page) == language
    assert notice_title(page) == TITLES[language]
    return page, one(page, "article.notice").get_text(" ", strip=True)


def speaking(door: Program, language: str) -> Referral:
    referral = ReferralFactory(family__program=door)
    referral.family.parents.update(preferred_language=language)
    return referral


def test_english_notice_says_what_the_program_is_with_its_consent_form(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    door.contact_email = "psp@door.example.org"
    door.save()
    referral = speaking(door, Language.ENGLISH)
    page, text = shown_notice(client_for(personas["door_coordinator"]), referral, "en")
    assert "What is Parents Supporting Parents?" in text
    assert "Yes. I agree that Door County PSP may contact me about a Parent Partner." in text
    assert "No. Please do not contact me." in text
    assert f"referral {referral.number}" in text
    assert "Write to Door County PSP at psp@door.example.org" in text
    assert "608-422-7000" in text and "711" in text
    assert page.select_one("#notice-language-status") is None


def test_notice_defaults_to_the_parents_preferred_language(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.SPANISH)
    page, text = shown_notice(client_for(personas["door_coordinator"]), referral, "es")
    assert "¿Qué es Padres que Apoyan a Padres?" in text
    assert "Sí. Acepto que Door County PSP se comunique conmigo" in text
    assert "What is Parents Supporting Parents?" not in text
    assert one(page, 'input[name="language"][value="es"]').has_attr("checked")


def test_coordinator_can_choose_another_language_than_the_parents(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.SPANISH)
    page = notice_page(client_for(personas["door_coordinator"]), referral, language="en")
    assert page_language(page) == "en"
    assert notice_title(page) == ENGLISH_TITLE


def test_tools_around_the_notice_stay_in_the_readers_language(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    """A Spanish notice for an English-speaking coordinator: the page is Spanish, the tools
    that never print say they are English."""
    referral = speaking(door, Language.SPANISH)
    page = notice_page(client_for(personas["door_coordinator"]), referral)
    tools = one(page, "div:has(> header.notice-tools)")
    assert tools["lang"] == "en"
    assert "d-print-none" in tools.get_attribute_list("class")
    assert "Show the notice" in tools.get_text()


def test_hmong_without_translation_prints_english_and_says_so(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.HMONG)
    page = notice_page(client_for(personas["door_coordinator"]), referral)
    # The words are English, and the page says they are: never marked as Hmong.
    assert page_language(page) == "en"
    assert not page.select('main [lang="hmn"]')
    assert notice_title(page) == ENGLISH_TITLE
    status = one(page, "header.notice-tools #notice-language-status")
    assert "There is no Hmong notice yet: the notice below is in English." in status.get_text()
    assert "Do not give it to the parent as a Hmong notice." in status.get_text()
    hmong = one(page, 'input[name="language"][value="hmn"]')
    assert hmong.has_attr("checked")
    label = one(page, f'label[for="{hmong["id"]}"]').get_text(strip=True)
    assert label == "Hmong (not translated yet: prints in English)"


def test_hmong_words_from_the_catalogue_replace_the_english_once_translated(
    personas: dict[str, Any],
    door: Program,
    client_for: Callable[[User | None], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A translator's catalogue is all it takes: every paragraph translated, the notice is
    Hmong and says it is. Stands in for the catalogue by answering pgettext in Hmong."""
    english = notices.english_paragraphs()

    def hmong_catalogue(context: str, message: str) -> str:
        if translation.get_language() == "hmn":
            return f"[hmn] {message}"
        return message

    monkeypatch.setattr(notices, "pgettext", hmong_catalogue)
    assert notices.untranslated(Language.HMONG) == []
    referral = speaking(door, Language.HMONG)
    page = notice_page(client_for(personas["door_coordinator"]), referral)
    assert page_language(page) == "hmn"
    assert notice_title(page) == f"[hmn] {english['title']}"
    assert page.select_one("#notice-language-status") is None


def test_a_half_translated_notice_is_printed_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    def title_only(context: str, message: str) -> str:
        translated = translation.get_language() == "hmn" and message.startswith("A Parent")
        return "Hmong title" if translated else message

    monkeypatch.setattr(notices, "pgettext", title_only)
    missing = notices.untranslated(Language.HMONG)
    assert "title" not in missing and "consent_yes" in missing
    notice = notices.notice_for(ReferralFactory(), Language.HMONG)
    assert notice.language == Language.ENGLISH and notice.is_fallback
    assert notice.text["title"] == ENGLISH_TITLE


def test_spanish_catalogue_translates_every_paragraph() -> None:
    assert notices.untranslated(Language.SPANISH) == []
    assert notices.untranslated(Language.ENGLISH) == []


def test_large_print_on_request(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.ENGLISH)
    client = client_for(personas["door_coordinator"])
    regular = notice_page(client, referral)
    assert "notice-large" not in one(regular, "body").get_attribute_list("class")
    large = notice_page(client, referral, language="es", large_print="on")
    assert "notice-large" in one(large, "body").get_attribute_list("class")
    assert page_language(large) == "es"
    assert one(large, 'input[name="large_print"]').has_attr("checked")
    assert large.select_one('link[rel="stylesheet"][href*="print-notice"]')


def test_large_print_stylesheet_sets_every_text_at_18_point_or_more() -> None:
    """Under the large-print class, body text is 18 pt, headings larger, and every rule that
    sets a smaller size for regular print (the form's office line) is set again."""
    css = (Path(settings.BASE_DIR) / "static/css/print-notice.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    sizes = {
        selector.strip(): float(size)
        for selector, size in re.findall(r"([^{}]+)\{[^}]*font-size:\s*([\d.]+)pt", css)
    }
    large = {
        selector.removeprefix(".notice-large ").replace(".notice .notice-", ".notice-"): size
        for selector, size in sizes.items()
        if selector.startswith(".notice-large ")
    }
    assert large[".notice"] >= 18
    assert all(size >= 18 for size in large.values())
    assert large[".notice h1"] > large[".notice h2"] > large[".notice"]
    small = {s for s, size in sizes.items() if size < 18 and not s.startswith(".notice-large")}
    assert small and small <= set(large)


def test_an_unknown_language_falls_back_to_the_parents(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.SPANISH)
    page = notice_page(client_for(personas["door_coordinator"]), referral, language="fr")
    assert page_language(page) == "es"
    assert "Choose English, Spanish or Hmong." in page.get_text()


def test_other_language_parent_gets_english_with_their_language_shown(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.OTHER)
    referral.family.parents.update(interpreter_needed=True)
    page = notice_page(client_for(personas["door_coordinator"]), referral)
    assert page_language(page) == "en"
    tools = one(page, "header.notice-tools").get_text(" ", strip=True)
    assert "prefers Other language. Needs an interpreter." in tools


def test_first_parent_with_a_notice_language_sets_the_default(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.OTHER)
    ParentFactory(family=referral.family, preferred_language=Language.SPANISH)
    page = notice_page(client_for(personas["door_coordinator"]), referral)
    assert page_language(page) == "es"


def test_referral_page_links_to_the_notice(
    personas: dict[str, Any], door_referral: Referral, client_for: Callable[[User | None], Client]
) -> None:
    page = client_for(personas["door_coordinator"]).get(f"/referrals/{door_referral.pk}/")
    link = one(
        BeautifulSoup(page.content, "html.parser"),
        f'a[href="/referrals/{door_referral.pk}/notice/"]',
    )
    assert "Print a notice for the parents" in link.get_text()


def test_showing_the_notice_is_audited_with_its_language_and_size(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.HMONG)
    notice_page(
        client_for(personas["door_coordinator"]), referral, large_print="on", language="hmn"
    )
    entry = AuditEntry.objects.get(object_type="referrals.referral", object_id=str(referral.pk))
    assert entry.action == AuditAction.VIEW
    assert entry.actor_username == "door-coordinator"
    assert entry.program_id == door.pk
    # What was printed: English (no Hmong yet), in large print.
    assert entry.changes == {"notice": {"language": "en", "large_print": True}}


def test_coordinator_of_another_program_gets_404(
    personas: dict[str, Any], door_referral: Referral, client_for: Callable[[User | None], Client]
) -> None:
    response = client_for(personas["rock_coordinator"]).get(
        f"/referrals/{door_referral.pk}/notice/"
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(object_id=str(door_referral.pk)).exists()


def test_referring_social_worker_may_print_it_for_the_family(
    personas: dict[str, Any], door_referral: Referral, client_for: Callable[[User | None], Client]
) -> None:
    page = notice_page(client_for(personas["door_social_worker"]), door_referral)
    assert notice_title(page) == ENGLISH_TITLE


def test_another_social_worker_of_the_program_gets_404(
    door: Program,
    door_referral: Referral,
    make_member: Callable[..., User],
    client_for: Callable[[User | None], Client],
) -> None:
    colleague = make_member(door, Role.SOCIAL_WORKER)
    response = client_for(colleague).get(f"/referrals/{door_referral.pk}/notice/")
    assert response.status_code == 404


def test_parent_partner_prints_it_only_for_a_family_assigned_to_them(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    partner_user = personas["door_parent_partner"]
    assigned = ReferralFactory(family__program=door)
    assign_case(assigned, partner_user)
    other = ReferralFactory(family__program=door)
    client = client_for(partner_user)
    assert client.get(f"/referrals/{assigned.pk}/notice/").status_code == 200
    assert client.get(f"/referrals/{other.pk}/notice/").status_code == 404


def test_spanish_speaking_coordinator_prints_an_english_notice(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    referral = speaking(door, Language.ENGLISH)
    client = client_for(personas["door_coordinator"])
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    page = notice_page(client, referral)
    assert page_language(page) == "en"
    assert notice_title(page) == ENGLISH_TITLE
    tools = one(page, "div:has(> header.notice-tools)")
    assert tools["lang"] == "es"
    assert "Mostrar el aviso" in tools.get_text()
