"""The parent survey in the parent's language: Spanish and Hmong columns, English (saying so)
where a question has no words in the parent's language yet."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from django.apps import apps
from django.test import Client

from mentoring import services
from mentoring.models import Case, SurveyInstrument
from psp.models import AuditAction, AuditEntry, Program, User
from referrals.models import Language, Status
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import assign_case

pytestmark = pytest.mark.django_db

HOPE_EN = "I feel hopeful about my family's future."
HOPE_ES = "Tengo esperanza en el futuro de mi familia."
migration = importlib.import_module("mentoring.migrations.0012_survey_questions_in_hmong")


def case_speaking(language: str, door: Program, partner: User) -> Case:
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED, members=False)
    ParentFactory(family=referral.family, preferred_language=language)
    return assign_case(referral, partner)


def survey_page(client: Client, case: Case) -> BeautifulSoup:
    response = client.get(f"/mentoring/cases/{case.pk}/survey/intake/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def legend(page: BeautifulSoup, key: str) -> Tag:
    field = page.select_one(f'fieldset:has(input[name="q_{key}"]) legend')
    assert field is not None
    for required_mark in field.select(".asteriskField"):
        required_mark.decompose()
    return field


def with_hmong(hope: str) -> None:
    instrument = services.default_survey_instrument()
    instrument.questions = [
        {**question, "text_hmn": hope if question["key"] == "hope" else ""}
        for question in instrument.questions
    ]
    instrument.save()


def test_every_default_question_has_an_empty_hmong_column() -> None:
    questions = services.default_survey_instrument().questions
    assert [question["text_hmn"] for question in questions] == ["", "", ""]
    assert all(question["text_es"] for question in questions)


def test_hmong_speaking_parent_gets_english_while_no_hmong_is_written(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    case = case_speaking(Language.HMONG, door, personas["door_parent_partner"])
    page = survey_page(client_for(personas["door_parent_partner"]), case)
    hope = legend(page, "hope")
    assert hope.get_text(strip=True) == HOPE_EN
    assert not page.select('main [lang="hmn"]')
    hint = page.select_one('fieldset:has(input[name="q_hope"]) .form-text')
    assert hint is not None
    assert hint.get_text(strip=True) == (
        "This question has no Hmong words yet: read it in English, with an interpreter."
    )


def test_hmong_words_are_asked_once_a_translator_writes_them(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    with_hmong("Kuv muaj kev cia siab")
    case = case_speaking(Language.HMONG, door, personas["door_parent_partner"])
    page = survey_page(client_for(personas["door_parent_partner"]), case)
    hope = legend(page, "hope")
    assert hope.get_text(strip=True) == "Kuv muaj kev cia siab"
    marked = hope.select_one('span[lang="hmn"]')
    assert marked is not None and marked.get_text() == "Kuv muaj kev cia siab"
    assert not page.select('fieldset:has(input[name="q_hope"]) .form-text')
    # A question still without Hmong words is asked in English, and says so.
    supported = legend(page, "supported")
    assert supported.get_text(strip=True).startswith("I feel supported")
    assert not supported.select("[lang]")


def test_spanish_question_is_marked_spanish_on_an_english_page(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    case = case_speaking(Language.SPANISH, door, personas["door_parent_partner"])
    page = survey_page(client_for(personas["door_parent_partner"]), case)
    marked = legend(page, "hope").select_one('span[lang="es"]')
    assert marked is not None and marked.get_text() == HOPE_ES


def test_answers_in_hmong_are_saved_like_any_other(
    personas: dict[str, Any], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    case = case_speaking(Language.HMONG, door, personas["door_parent_partner"])
    response = client_for(personas["door_parent_partner"]).post(
        f"/mentoring/cases/{case.pk}/survey/intake/",
        {
            "answered_on": case.opened_on.isoformat(),
            "q_hope": "4",
            "q_supported": "3",
            "q_confident": "2",
        },
    )
    assert response.status_code == 302
    assert case.survey_responses.get().answers == {"hope": 4, "supported": 3, "confident": 2}


def test_migration_adds_the_hmong_column_and_keeps_written_words() -> None:
    old = SurveyInstrument.objects.create(
        name="Older instrument",
        questions=[
            {"key": "hope", "text": HOPE_EN, "text_es": HOPE_ES},
            {
                "key": "safe",
                "text": "I feel safe.",
                "text_es": "Me siento seguro(a).",
                "text_hmn": "X",
            },
        ],
    )
    migration.add_hmong(apps, None)
    old.refresh_from_db()
    assert [question.get("text_hmn") for question in old.questions] == ["", "X"]
    assert old.questions[0]["text_es"] == HOPE_ES
    migration.remove_empty_hmong(apps, None)
    old.refresh_from_db()
    assert ["text_hmn" in question for question in old.questions] == [False, True]


def test_administrator_sees_each_question_in_english_spanish_and_hmong(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    with_hmong("Kuv muaj kev cia siab")
    instrument = services.default_survey_instrument()
    response = client_for(personas["admin"]).get(
        f"/admin/mentoring/surveyinstrument/{instrument.pk}/change/"
    )
    assert response.status_code == 200
    table = BeautifulSoup(response.content, "html.parser").select_one("table.survey-languages")
    assert table is not None
    headers = [th.get_text() for th in table.select("thead th")]
    assert headers == ["Question", "English", "Spanish", "Hmong"]
    rows = {
        row.th.get_text(): [cell.get_text() for cell in row.select("td")]
        for row in table.select("tbody tr")
        if row.th is not None
    }
    assert rows["hope"] == [HOPE_EN, HOPE_ES, "Kuv muaj kev cia siab"]
    assert rows["supported"][2] == "Not translated yet: asked in English"
    assert table.select_one('td[lang="hmn"]') is not None


def test_administrator_fills_the_hmong_words_in_the_admin(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    instrument = services.default_survey_instrument()
    questions = [
        {**question, "text_hmn": f"hmn {question['key']}"} for question in instrument.questions
    ]
    response = client_for(personas["admin"]).post(
        f"/admin/mentoring/surveyinstrument/{instrument.pk}/change/",
        {"name": instrument.name, "is_default": "on", "questions": json.dumps(questions)},
    )
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert [question["text_hmn"] for question in instrument.questions] == [
        "hmn hope",
        "hmn supported",
        "hmn confident",
    ]
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_type="mentoring.surveyinstrument"
    ).exists()


def test_coordinators_do_not_reach_the_survey_admin(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    instrument = services.default_survey_instrument()
    response = client_for(personas["door_coordinator"]).get(
        f"/admin/mentoring/surveyinstrument/{instrument.pk}/change/"
    )
    assert response.status_code == 302
