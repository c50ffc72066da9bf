"""A program's public page's request form: open to anyone, kept for the Program Coordinator,
and guarded against robots, floods and oversized bodies (psp/public.py)."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import translation
from pytest_django import Settings as SettingsWrapper

from psp import public
from psp.models import AuditEntry, Notification, NotificationKind, Program, User
from referrals.models import ReferralRequest, RequestStatus
from tests.clock import CHICAGO
from tests.factories import ParentFactory, ReferralFactory

URL = "/public/door/ask-for-help/"


def shown_seconds_ago(seconds: int) -> str:
    """The signed time a form was shown, ``seconds`` ago (as a person's browser sends it)."""
    return signing.TimestampSigner(salt=public.SALT).sign(str(int(time.time()) - seconds))


def sent(**changes: Any) -> dict[str, Any]:
    data = {
        "sender": "self",
        "parent_first_name": "Marisol",
        "parent_last_name": "Vang",
        "phone": "920-555-0123",
        "email": "",
        "best_time": "After 3 pm",
        "language": "es",
        "children": "Lia 4",
        "cps_case": "yes",
        "message": "My kids were placed with my sister. I want to bring them home.",
        "website": "",
        "shown": shown_seconds_ago(40),
    }
    data.update(changes)
    return data


@pytest.fixture
def coordinator(personas: dict[str, User | None]) -> User:
    user = personas["door_coordinator"]
    assert user is not None
    return user


def test_the_form_opens_without_signing_in(client: Client, door: Program) -> None:
    page = client.get(URL)
    assert page.status_code == 200
    assert "Ask for a Parent Partner" in page.content.decode()
    # The trap is in the page, off screen and hidden from screen readers.
    assert 'class="psp-trap" aria-hidden="true"' in page.content.decode()


def test_a_parent_asking_lands_with_the_coordinator(
    client: Client, door: Program, coordinator: User, personas: dict[str, User | None]
) -> None:
    answer = client.post(URL, sent())
    assert answer.status_code == 302
    assert answer["Location"] == "/public/door/ask-for-help/sent/"
    request = ReferralRequest.objects.get()
    assert (request.program, request.parent_first_name, request.status) == (
        door,
        "Marisol",
        RequestStatus.WAITING,
    )
    assert request.language == "es"
    told = Notification.objects.get(kind=NotificationKind.PUBLIC_REQUEST)
    assert told.recipient == coordinator
    # Only the Program Coordinator, who triages: not the Parent Partner Coordinator.
    assert not Notification.objects.filter(recipient=personas["door_pp_coordinator"]).exists()
    entry = AuditEntry.objects.get(object_type="referrals.referralrequest", action="create")
    assert entry.actor_id is None and entry.ip_address == "127.0.0.1"
    confirmation = client.get(answer["Location"]).content.decode()
    assert "What happens next" in confirmation
    assert "Marisol" not in confirmation


def test_the_answer_says_nothing_of_families_the_program_knows(
    client: Client, door: Program, coordinator: User
) -> None:
    """The duplicate warning is for staff: a known parent's name gets the same answer."""
    known = ParentFactory(first_name="Marisol", last_name="Vang", family__program=door)
    ReferralFactory(family=known.family)
    first = client.post(URL, sent())
    second = Client().post(URL, sent(parent_first_name="Someone", parent_last_name="Unknown"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]

    def page(client: Client) -> str:
        html = client.get(first["Location"]).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)

    assert page(client) == page(Client())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"parent_first_name": ""}, "parent_first_name", "Enter the parent&#x27;s first name."),
        ({"phone": "", "email": ""}, "phone", "Enter a phone number or an e-mail address"),
        ({"message": ""}, "message", "Say in a few words what help"),
        ({"email": "not-an-address"}, "email", "Enter an e-mail address like"),
        ({"sender": "community", "sender_name": ""}, "sender_name", "Enter your name."),
        ({"sender": "community", "sender_name": "Ana"}, "parent_agrees", "Ask the parent first"),
        ({"message": "x" * 2001}, "message", "at most 2000 characters"),
    ],
)
def test_a_mistake_is_said_at_its_field_and_nothing_is_kept(
    client: Client, door: Program, changes: dict[str, str], field: str, message: str
) -> None:
    page = client.post(URL, sent(**changes))
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html
    assert f'id="{"id_" + field}_error"' in html or f"#id_{field}" in html
    assert "Marisol" in html or changes.get("parent_first_name") == ""  # typed text kept
    assert not ReferralRequest.objects.exists()


def test_someone_asking_for_a_parent_who_agrees(client: Client, door: Program) -> None:
    data = sent(
        sender="community",
        sender_name="Ana Lor",
        sender_relationship="Aunt",
        parent_agrees="on",
    )
    assert client.post(URL, data).status_code == 302
    request = ReferralRequest.objects.get()
    assert (request.sender, request.sender_name, request.parent_agrees) == (
        "community",
        "Ana Lor",
        True,
    )


def test_a_parent_asking_for_themselves_keeps_no_helper_details(
    client: Client, door: Program
) -> None:
    client.post(URL, sent(sender_name="Leftover", sender_contact="x@example.org"))
    request = ReferralRequest.objects.get()
    assert (request.sender_name, request.sender_contact) == ("", "")


@pytest.mark.parametrize(
    "changes",
    [
        {"website": "http://cheap-pills.example"},  # the hidden box, filled in
        {"shown": "1 second ago"},  # sent a second after it was shown
        {"shown": "tampered"},  # no proof of when it was shown
        {"shown": ""},
    ],
)
def test_a_robot_is_answered_as_received_and_nothing_is_kept(
    client: Client, door: Program, coordinator: User, changes: dict[str, str]
) -> None:
    if changes.get("shown") == "1 second ago":
        changes = {"shown": shown_seconds_ago(1)}
    answer = client.post(URL, sent(**changes))
    assert answer.status_code == 302
    assert answer["Location"] == "/public/door/ask-for-help/sent/"
    assert not ReferralRequest.objects.exists()
    assert not Notification.objects.exists()


def test_a_form_left_open_for_a_day_is_sent_again_with_the_answers_kept(
    client: Client, door: Program
) -> None:
    shown = shown_seconds_ago(0)
    with time_machine.travel(datetime.timedelta(days=1, minutes=5), tick=True):
        page = client.post(URL, sent(shown=shown))
    assert page.status_code == 200
    assert "open for a long time" in page.content.decode()
    assert 'value="Marisol"' in page.content.decode()
    assert not ReferralRequest.objects.exists()
    # Sent again from that page, with the new time it carries, it is received.
    fresh = shown_seconds_ago(30)
    assert client.post(URL, sent(shown=fresh)).status_code == 302


def test_a_burst_from_one_address_is_limited_with_a_clear_message(
    client: Client, door: Program, settings: SettingsWrapper
) -> None:
    answers = [
        client.post(URL, sent(parent_first_name=f"Parent{n}")).status_code for n in range(100)
    ]
    assert all(code < 500 for code in answers)
    assert answers.count(302) == settings.PSP_PUBLIC_FORMS_PER_HOUR
    assert answers.count(429) == 100 - settings.PSP_PUBLIC_FORMS_PER_HOUR
    assert ReferralRequest.objects.count() == settings.PSP_PUBLIC_FORMS_PER_HOUR
    limited = client.post(URL, sent(parent_first_name="Kept"))
    html = limited.content.decode()
    assert limited.status_code == 429
    assert limited["Retry-After"] == "3600"  # as the page says: wait an hour
    assert "too many forms came from your network" in html
    assert 'value="Kept"' in html  # what was typed is still there
    # Another address is not held back by this one.
    other = Client(REMOTE_ADDR="203.0.113.9").post(URL, sent(parent_first_name="Other"))
    assert other.status_code == 302


def test_an_oversized_body_is_refused_before_it_is_read(
    client: Client, door: Program, settings: SettingsWrapper
) -> None:
    page = client.post(URL, sent(message="x" * (settings.PSP_PUBLIC_FORM_MAX_BYTES + 1)))
    assert page.status_code == 413
    assert not ReferralRequest.objects.exists()


def test_an_inactive_or_unknown_program_has_no_public_page(client: Client, door: Program) -> None:
    assert client.get("/public/nowhere/ask-for-help/").status_code == 404
    Program.objects.filter(pk=door.pk).update(is_active=False)
    assert client.get(URL).status_code == 404
    assert client.post(URL, sent()).status_code == 404
    assert not ReferralRequest.objects.exists()


def test_the_form_speaks_spanish(client: Client, door: Program) -> None:
    client.post("/i18n/setlang/", {"language": "es", "next": URL})
    page = client.get(URL).content.decode()
    with translation.override("es"):
        heading = translation.gettext("Ask for a Parent Partner")
        required = translation.gettext("Enter the parent's first name.")
    assert heading != "Ask for a Parent Partner"
    assert heading in page
    assert required in client.post(URL, sent(parent_first_name="")).content.decode()
    client.post(URL, sent())
    assert ReferralRequest.objects.get().page_language == "es"


def test_a_visitor_who_chose_hmong_can_send_the_form(client: Client, door: Program) -> None:
    """Words not yet translated show in English (docs/translating.md); the form works and
    the coordinator sees which language the page was in."""
    client.post("/i18n/setlang/", {"language": "hmn", "next": URL})
    assert 'lang="hmn"' in client.get(URL).content.decode()
    assert client.post(URL, sent()).status_code == 302
    assert ReferralRequest.objects.get().page_language == "hmn"


@pytest.mark.parametrize(
    "local",
    [
        datetime.datetime(2026, 12, 31, 23, 59, 30, tzinfo=CHICAGO),
        datetime.datetime(2027, 1, 1, 0, 30, tzinfo=CHICAGO),
        datetime.datetime(2026, 11, 1, 1, 30, tzinfo=CHICAGO),
    ],
)
def test_the_day_told_is_the_program_day_it_arrived(
    door: Program, coordinator: User, local: datetime.datetime
) -> None:
    with time_machine.travel(local, tick=False):
        client = Client()
        client.post(URL, sent(shown=shown_seconds_ago(30)))
    told = Notification.objects.get(kind=NotificationKind.PUBLIC_REQUEST)
    assert told.params["day"] == local.date().isoformat()


def test_send_pressed_at_once_on_an_empty_form_shows_what_is_missing(
    client: Client, door: Program
) -> None:
    """Sooner than a person could fill it in, yet not answered as sent: nothing was."""
    page = client.post(URL, {"shown": shown_seconds_ago(0), "website": ""})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Enter the parent&#x27;s first name." in html
    assert "Request sent" not in html
    assert not ReferralRequest.objects.exists()


@pytest.mark.parametrize(
    "forwarded",
    # What a proxy in front makes of a caller's own header: it appends the address it saw.
    ["10.0.0.{n}, 198.51.100.7", "10.0.0.{n},198.51.100.7", "unknown, 198.51.100.7"],
)
def test_behind_a_proxy_the_caller_cannot_choose_the_address_counted(
    door: Program, settings: SettingsWrapper, forwarded: str
) -> None:
    settings.PSP_TRUST_X_FORWARDED_FOR = True
    answers = [
        Client(REMOTE_ADDR="192.0.2.1")
        .post(URL, sent(), HTTP_X_FORWARDED_FOR=forwarded.format(n=n))
        .status_code
        for n in range(settings.PSP_PUBLIC_FORMS_PER_HOUR + 5)
    ]
    assert answers.count(302) == settings.PSP_PUBLIC_FORMS_PER_HOUR
    assert answers.count(429) == 5
    entry = AuditEntry.objects.filter(object_type="referrals.referralrequest").first()
    assert entry is not None and entry.ip_address == "198.51.100.7"


@pytest.mark.parametrize(
    ("forwarded", "recorded"),
    [
        ("garbage", "192.0.2.1"),
        ("x" * 5000, "192.0.2.1"),
        ("198.51.100.7:54321", "198.51.100.7"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("", "192.0.2.1"),
    ],
)
def test_an_address_header_that_is_no_address_is_never_a_server_error(
    door: Program, settings: SettingsWrapper, forwarded: str, recorded: str
) -> None:
    settings.PSP_TRUST_X_FORWARDED_FOR = True
    client = Client(REMOTE_ADDR="192.0.2.1")
    assert client.post(URL, sent(), HTTP_X_FORWARDED_FOR=forwarded).status_code == 302
    entry = AuditEntry.objects.get(object_type="referrals.referralrequest")
    assert entry.ip_address == recorded


def test_addresses_of_one_ipv6_network_share_one_limit(
    door: Program, settings: SettingsWrapper
) -> None:
    """A home or a phone has a whole /64 to take addresses from."""
    answers = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n:x}").post(URL, sent()).status_code
        for n in range(settings.PSP_PUBLIC_FORMS_PER_HOUR + 5)
    ]
    assert answers.count(302) == settings.PSP_PUBLIC_FORMS_PER_HOUR
    assert answers.count(429) == 5
    # The next /64 is someone else's.
    assert Client(REMOTE_ADDR="2001:db8:1:3::1").post(URL, sent()).status_code == 302


@pytest.mark.parametrize("language", ["es", "hmn", "en"])
def test_the_parent_language_starts_as_the_page_language(
    client: Client, door: Program, language: str
) -> None:
    """A visitor reading the page in Spanish who leaves the question as it is asks for a
    call in Spanish, not in English."""
    client.post("/i18n/setlang/", {"language": language, "next": URL})
    html = client.get(URL).content.decode()
    checked = re.findall(r'name="language" value="(\w+)"[^>]* checked', html)
    assert checked == [language]


def test_no_cache_keeps_what_was_typed(client: Client, door: Program) -> None:
    """A form shown again with a mistake holds what the person typed: on a library's
    computer, neither a cache nor the back button may show it to the next person."""
    for answer in (client.get(URL), client.post(URL, sent(phone="", email=""))):
        assert "no-store" in answer["Cache-Control"]
        assert "private" in answer["Cache-Control"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_browser_that_keeps_no_cookie_is_told_what_to_do(door: Program, language: str) -> None:
    """Sent without the cookie its page set, the form is refused (CSRF) with the site's own
    page, in the visitor's language, leading back to the form."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    page = client.post(URL, sent())
    html = page.content.decode()
    assert page.status_code == 403
    with translation.override(language):
        assert translation.gettext("The form could not be sent") in html
    assert f'href="{URL}"' in html
    assert "CSRF" not in html
    assert not ReferralRequest.objects.exists()


def test_an_oversized_form_leads_back_to_the_form(
    client: Client, door: Program, settings: SettingsWrapper
) -> None:
    page = client.post(URL, sent(message="x" * (settings.PSP_PUBLIC_FORM_MAX_BYTES + 1)))
    assert page.status_code == 413
    assert f'href="{URL}"' in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/public/",
        "/public/door/",
        "/public/door/ask-for-help/sent/",
        "/public/door/become-a-parent-partner/sent/",
    ],
)
def test_the_public_pages_that_take_no_form_refuse_a_post(door, client, url):
    """Only the two forms take what a visitor sends; the pages that only tell refuse a POST
    (405) rather than answer it as if it were a visit."""
    assert client.get(url).status_code == 200
    answer = client.post(url, {"anything": "x"})
    assert answer.status_code == 405
    assert "GET" in answer["Allow"]
