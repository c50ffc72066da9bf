"""API tokens for the state's systems: made by an administrator in the admin for a state-staff
account, shown once, kept only as a fingerprint, read-only, expiring, revocable, limited in
rate, and every call audited."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from psp import api, services
from psp.models import ApiToken, AuditAction, AuditEntry, Program, User
from tests.test_access_matrix import CASES as MATRIX_CASES

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 10, 1, 5, 30, tzinfo=datetime.UTC)  # 00:30 in Wisconsin
KEY = re.compile(r"psp_[A-Za-z0-9_-]{43}")
ADD_URL = "/admin/psp/apitoken/add/"
LIST_URL = "/admin/psp/apitoken/"


@pytest.fixture
def frozen() -> Iterator[datetime.datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def state(personas: dict[str, User | None]) -> User:
    user = personas["state"]
    assert user is not None
    return user


@pytest.fixture
def administrator(personas: dict[str, User | None]) -> User:
    user = personas["admin"]
    assert user is not None
    return user


@pytest.fixture
def made(frozen: datetime.datetime, state: User, administrator: User) -> tuple[ApiToken, str]:
    return services.api_token_create(
        actor=administrator,
        user=state,
        name="DCF data warehouse",
        expires_at=frozen + datetime.timedelta(days=30),
    )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_401_problem(response: Any) -> dict[str, Any]:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body: dict[str, Any] = response.json()
    assert body["status"] == 401
    return body


# --- Using a token --------------------------------------------------------------------------


def test_a_new_token_reads_who_it_is_and_every_program(
    client: Client, made: tuple[ApiToken, str], state: User, door: Program, rock: Program
) -> None:
    _token, key = made
    me = client.get("/api/v1/me/", headers=bearer(key))
    assert me.status_code == 200
    assert me.json()["username"] == state.username
    assert me.json()["statewide_role"] == "state_staff"

    programs = client.get("/api/v1/programs/", headers=bearer(key))
    assert programs.status_code == 200
    assert {row["slug"] for row in programs.json()["results"]} == {"door", "rock"}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer psp_" + "A" * 43,  # well formed, but no such token
        "Bearer not-a-token",
        "Bearer ",
        "Bearer psp_" + "x" * 300,
    ],
    ids=["unknown", "malformed", "empty", "too-long"],
)
def test_a_bad_token_answers_401_problem(
    client: Client, made: tuple[ApiToken, str], header: str
) -> None:
    body = assert_401_problem(client.get("/api/v1/me/", headers={"Authorization": header}))
    assert body["detail"] == "This API token is not valid."


def test_a_token_works_until_its_last_second_and_not_one_second_after(
    client: Client, made: tuple[ApiToken, str]
) -> None:
    token, key = made
    with time_machine.travel(token.expires_at - datetime.timedelta(seconds=1), tick=False):
        assert client.get("/api/v1/me/", headers=bearer(key)).status_code == 200
    with time_machine.travel(token.expires_at + datetime.timedelta(seconds=1), tick=False):
        body = assert_401_problem(client.get("/api/v1/me/", headers=bearer(key)))
    assert body["detail"] == "This API token has expired."


def test_a_revoked_token_answers_401(
    client: Client, made: tuple[ApiToken, str], administrator: User
) -> None:
    token, key = made
    assert client.get("/api/v1/me/", headers=bearer(key)).status_code == 200
    assert services.api_token_revoke(actor=administrator, token=token) is True
    body = assert_401_problem(client.get("/api/v1/me/", headers=bearer(key)))
    assert body["detail"] == "This API token was revoked."


def test_the_token_of_an_account_turned_off_answers_401(
    client: Client, made: tuple[ApiToken, str], state: User
) -> None:
    _token, key = made
    state.is_active = False
    state.save()
    assert_401_problem(client.get("/api/v1/programs/", headers=bearer(key)))


def test_the_token_of_an_account_no_longer_state_staff_answers_401(
    client: Client, made: tuple[ApiToken, str], state: User, door: Program
) -> None:
    """Else a token would follow its account into a program role, and its families."""
    _token, key = made
    state.statewide_role = ""
    state.save()
    assert_401_problem(client.get("/api/v1/programs/", headers=bearer(key)))


def _api_routes_for_signed_in() -> list[str]:
    paths = []
    for _module, case in MATRIX_CASES:
        if case.path.startswith("/api/v1/") and case.answer_for("anonymous") == 401:
            # Permission is asked before any record is looked up: any number will do.
            paths.append(re.sub(r"\{\w+\}", "1", case.path))
    return paths


def test_a_token_cannot_write_anywhere(client: Client, made: tuple[ApiToken, str]) -> None:
    _token, key = made
    routes = _api_routes_for_signed_in()
    assert "/api/v1/me/" in routes
    for path in routes:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(
                path, "{}", content_type="application/json", headers=bearer(key)
            )
            assert response.status_code == 403, f"{method.upper()} {path}"
            assert response["Content-Type"] == "application/problem+json"
            assert response.json()["detail"] == "API tokens can only read."


def test_each_call_is_audited_with_the_prefix_never_the_key(
    client: Client, made: tuple[ApiToken, str], state: User
) -> None:
    token, key = made
    client.get("/api/v1/programs/?page_size=5", headers=bearer(key))
    client.get("/api/v1/me/", headers=bearer(key))
    calls = AuditEntry.objects.filter(object_type="api").order_by("pk")
    assert [entry.object_repr for entry in calls] == [
        "API GET /api/v1/programs/",
        "API GET /api/v1/me/",
    ]
    assert {entry.actor_id for entry in calls} == {state.pk}
    assert {entry.changes["token"] for entry in calls} == {token.prefix}
    assert calls[0].changes["query"] == "page_size=5"
    for entry in AuditEntry.objects.all():
        assert key not in str(entry.changes) + entry.object_repr + entry.path


def test_last_used_is_set_by_a_call(
    client: Client, made: tuple[ApiToken, str], frozen: datetime.datetime
) -> None:
    token, key = made
    assert token.last_used_at is None
    client.get("/api/v1/me/", headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == frozen


def test_the_stored_row_holds_no_usable_key(made: tuple[ApiToken, str]) -> None:
    token, key = made
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(key in str(value) for value in row.values())
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["prefix"] == key[:12]


def test_past_the_rate_a_token_is_told_to_wait(
    client: Client, made: tuple[ApiToken, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # REST framework reads the rates once, when the class is defined: patch them there.
    monkeypatch.setattr(api.TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    _token, key = made
    for _call in range(3):
        assert client.get("/api/v1/me/", headers=bearer(key)).status_code == 200
    response = client.get("/api/v1/me/", headers=bearer(key))
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["status"] == 429


def test_the_rate_limit_is_per_token_not_for_people_signed_in(
    client_for: Callable[[User | None], Client],
    made: tuple[ApiToken, str],
    state: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(api.TokenRateThrottle, "THROTTLE_RATES", {"token": "1/minute"})
    _token, key = made
    anonymous = client_for(None)
    assert anonymous.get("/api/v1/me/", headers=bearer(key)).status_code == 200
    assert anonymous.get("/api/v1/me/", headers=bearer(key)).status_code == 429
    signed_in = client_for(state)
    for _call in range(3):
        assert signed_in.get("/api/v1/me/").status_code == 200


# --- Making and revoking tokens in the admin ------------------------------------------------


@pytest.mark.parametrize("persona", ["door_coordinator", "state"])
def test_only_administrators_reach_the_token_admin(
    personas: dict[str, User | None],
    client_for: Callable[[User | None], Client],
    persona: str,
    state: User,
    made: tuple[ApiToken, str],
) -> None:
    token, _key = made
    client = client_for(personas[persona])
    for url in (LIST_URL, ADD_URL, f"{LIST_URL}{token.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]
    client.post(
        ADD_URL,
        {"name": "mine", "user": state.pk, "expires_at_0": "2026-12-01", "expires_at_1": "12:00"},
    )
    client.post(f"{LIST_URL}{token.pk}/revoke/")
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def _add_form(user: User, expires: datetime.datetime, name: str = "DCF data warehouse") -> dict:
    local = timezone.localtime(expires)
    return {
        "name": name,
        "user": str(user.pk),
        "expires_at_0": local.strftime("%Y-%m-%d"),
        "expires_at_1": local.strftime("%H:%M:%S"),
    }


def test_the_add_form_offers_the_default_lifetime(
    client_for: Callable[[User | None], Client],
    administrator: User,
    frozen: datetime.datetime,
    settings: Any,
) -> None:
    settings.PSP_API_TOKEN_DAYS = 90
    response = client_for(administrator).get(ADD_URL)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial["expires_at"] == frozen + datetime.timedelta(days=90)


def test_the_key_is_shown_once_and_never_again(
    client_for: Callable[[User | None], Client],
    client: Client,
    administrator: User,
    state: User,
    frozen: datetime.datetime,
) -> None:
    admin_client = client_for(administrator)
    made = admin_client.post(ADD_URL, _add_form(state, frozen + datetime.timedelta(days=60)))
    assert made.status_code == 302  # on to the page that shows the key, so a reload is safe
    response = admin_client.get(made["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Copy this token now: it will not be shown again." in page
    keys = set(KEY.findall(page))
    assert len(keys) == 1
    key = keys.pop()

    token = ApiToken.objects.get()
    assert (token.user, token.created_by, token.name) == (
        state,
        administrator,
        "DCF data warehouse",
    )
    assert token.expires_at == frozen + datetime.timedelta(days=60)
    assert token.key_hash == api.hash_key(key)
    assert client.get("/api/v1/me/", headers=bearer(key)).json()["username"] == state.username

    # Reloading the key's page: the key is gone, and no second token is made.
    reloaded = admin_client.get(made["Location"], follow=True)
    assert "cannot be shown again" in reloaded.content.decode()
    assert key not in reloaded.content.decode()
    assert ApiToken.objects.count() == 1
    for url in (LIST_URL, f"{LIST_URL}{token.pk}/change/"):
        again = admin_client.get(url)
        assert again.status_code == 200
        assert token.prefix in again.content.decode()
        assert key not in again.content.decode()

    created = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="psp.apitoken")
    assert created.actor_id == administrator.pk
    assert created.changes["prefix"] == token.prefix
    assert created.changes["account"] == state.username
    assert key not in str(created.changes)


@pytest.mark.parametrize("persona", ["door_coordinator", "admin", "no_role"])
def test_a_token_for_anyone_but_state_staff_is_refused_at_the_field(
    client_for: Callable[[User | None], Client],
    personas: dict[str, User | None],
    administrator: User,
    frozen: datetime.datetime,
    persona: str,
) -> None:
    someone = personas[persona]
    assert someone is not None
    response = client_for(administrator).post(
        ADD_URL, _add_form(someone, frozen + datetime.timedelta(days=30))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["user"] == [
        "API tokens are only for active state-staff accounts. Choose a state-staff account."
    ]
    assert "Copy this token now" not in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("lifetime", "message"),
    [
        (
            datetime.timedelta(days=366),
            "A token can last at most one year. Choose an earlier date.",
        ),
        (datetime.timedelta(minutes=-1), "Choose a moment in the future."),
    ],
    ids=["over-a-year", "in-the-past"],
)
def test_an_expiry_out_of_bounds_is_refused_at_the_field(
    client_for: Callable[[User | None], Client],
    administrator: User,
    state: User,
    frozen: datetime.datetime,
    lifetime: datetime.timedelta,
    message: str,
) -> None:
    response = client_for(administrator).post(ADD_URL, _add_form(state, frozen + lifetime))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["expires_at"] == [message]
    assert not ApiToken.objects.exists()


def test_a_year_to_the_day_is_allowed(
    client_for: Callable[[User | None], Client],
    administrator: User,
    state: User,
    frozen: datetime.datetime,
) -> None:
    response = client_for(administrator).post(
        ADD_URL, _add_form(state, frozen + datetime.timedelta(days=365))
    )
    assert response.status_code == 302
    assert ApiToken.objects.get().expires_at == frozen + datetime.timedelta(days=365)


def test_the_list_tells_active_expired_and_revoked_apart(
    client_for: Callable[[User | None], Client],
    administrator: User,
    state: User,
    frozen: datetime.datetime,
) -> None:
    def make(name: str) -> ApiToken:
        return services.api_token_create(
            actor=administrator,
            user=state,
            name=name,
            expires_at=frozen + datetime.timedelta(days=1),
        )[0]

    make("Warehouse")
    expiring = make("Old export")
    services.api_token_revoke(actor=administrator, token=make("Lost laptop"))
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=frozen)  # expired this instant

    response = client_for(administrator).get(LIST_URL)
    changelist = response.context["cl"]
    rows = {row.name: changelist.model_admin.status(row) for row in changelist.result_list}
    assert rows == {"Warehouse": "active", "Old export": "expired", "Lost laptop": "revoked"}
    page = response.content.decode()
    for column in ("Account", "First characters", "Expires", "Last used", "Revoked", "Status"):
        assert column in page


def test_revoking_from_the_list(
    client_for: Callable[[User | None], Client],
    client: Client,
    administrator: User,
    made: tuple[ApiToken, str],
) -> None:
    token, key = made
    response = client_for(administrator).post(
        LIST_URL, {"action": "revoke_tokens", "_selected_action": [str(token.pk)]}, follow=True
    )
    assert "1 token revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me/", headers=bearer(key)).status_code == 401
    revoked = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="psp.apitoken")
    assert revoked.actor_id == administrator.pk
    assert revoked.changes["revoked_at"][0] is None


def test_revoking_from_the_change_page(
    client_for: Callable[[User | None], Client],
    client: Client,
    administrator: User,
    made: tuple[ApiToken, str],
) -> None:
    token, key = made
    admin_client = client_for(administrator)
    change_url = f"{LIST_URL}{token.pk}/change/"
    assert "Revoke this token" in admin_client.get(change_url).content.decode()
    assert admin_client.get(f"{LIST_URL}{token.pk}/revoke/").status_code == 405

    response = admin_client.post(f"{LIST_URL}{token.pk}/revoke/", follow=True)
    assert response.redirect_chain[-1][0] == change_url
    page = response.content.decode()
    assert "is revoked" in page
    assert "Revoke this token" not in page
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me/", headers=bearer(key)).status_code == 401
    # A second press changes nothing and logs nothing more.
    admin_client.post(f"{LIST_URL}{token.pk}/revoke/")
    assert AuditEntry.objects.filter(object_type="psp.apitoken", action="update").count() == 1


def test_revoking_a_token_that_does_not_exist_is_404(
    client_for: Callable[[User | None], Client], administrator: User
) -> None:
    admin_client = client_for(administrator)
    assert admin_client.post(f"{LIST_URL}999999/revoke/").status_code == 404
    assert admin_client.post(f"{LIST_URL}not-a-number/revoke/").status_code == 404


def test_a_token_is_neither_edited_nor_deleted(
    client_for: Callable[[User | None], Client],
    administrator: User,
    made: tuple[ApiToken, str],
) -> None:
    token, _key = made
    admin_client = client_for(administrator)
    change_url = f"{LIST_URL}{token.pk}/change/"
    page = admin_client.get(change_url).content.decode()
    assert 'name="name"' not in page
    assert 'name="_save"' not in page
    admin_client.post(change_url, {"name": "renamed", "expires_at_0": "2030-01-01"})
    assert admin_client.get(f"{LIST_URL}{token.pk}/delete/").status_code == 403
    actions = admin_client.get(LIST_URL).context["action_form"].fields["action"].choices
    assert [value for value, _label in actions if value] == ["revoke_tokens"]
    token.refresh_from_db()
    assert token.name == "DCF data warehouse"
    assert ApiToken.objects.filter(pk=token.pk).exists()
