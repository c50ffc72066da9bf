"""Each app registers its permission rules and its additions to other apps' pages when Django
starts; the base (psp) finds them without importing the apps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from psp import hooks, policy


@pytest.fixture
def scratch_hook() -> Iterator[str]:
    name = "test.scratch"
    yield name
    hooks._hooks.pop(name, None)


def test_a_hooks_functions_run_in_their_order(scratch_hook: str) -> None:
    hooks.register(scratch_hook, order=20)(lambda: "second")
    hooks.register(scratch_hook, order=10)(lambda: "first")
    hooks.register(scratch_hook, order=30)(lambda: "third")
    assert [fn() for fn in hooks.get(scratch_hook)] == ["first", "second", "third"]


def test_an_unknown_hook_has_no_functions() -> None:
    assert hooks.get("nobody.registered.this") == []


def test_every_apps_rules_are_registered() -> None:
    actions = set(policy.registered_actions())
    for action in ["program.view", "audit.view", "referral.view", "family.change",
                   "case.close", "activity.create", "council.view", "stipend.list",
                   "report.download", "dashboard.statewide"]:  # fmt: skip
        assert action in actions


def test_the_other_apps_add_to_the_referral_pages() -> None:
    assert len(hooks.get("referral.sections")) == 2  # mentoring: progress shared, documents
    assert len(hooks.get("referral.source_events")) == 1  # councils: outreach events


@pytest.mark.django_db
def test_the_navigation_keeps_its_order(personas, client_for) -> None:
    response = client_for(personas["door_coordinator"]).get("/dashboard/")
    labels = [str(item["label"]) for item in response.context["nav_items"]]
    assert labels == ["Dashboard", "Programs", "Referrals", "Cases", "Review", "Parent Partners",
                      "Mileage", "Councils", "Calendar", "Reports", "Audit log"]  # fmt: skip
