"""The role x view matrix's vocabulary, shared by each app's ``tests/<app>/matrix_cases.py``.

Each app lists its URLs as ``CASES`` and, when its paths point at records, a
``placeholders(personas, door)`` function that creates those records (in Door) and returns
the values for the ``{names}`` in its paths. ``tests/test_access_matrix.py`` runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass

PERSONAS = [
    "anonymous",
    "door_coordinator",
    "door_pp_coordinator",
    "door_parent_partner",
    "door_clinical",
    "door_social_worker",
    "school_staff",
    "rock_coordinator",
    "state",
    "admin",
    "no_role",
]
LOGIN = "login"  # a redirect to the sign-in page


@dataclass(frozen=True)
class Case:
    url_name: str
    path: str
    expected: dict[str, int | str]
    method: str = "get"
    data: dict[str, str] | None = None

    def answer_for(self, persona: str) -> int | str:
        if persona in self.expected:
            return self.expected[persona]
        return self.expected["*"]


def everyone(answer: int | str, **overrides: int | str) -> dict[str, int | str]:
    """``answer`` for every signed-in persona unless overridden; anonymous goes to sign-in."""
    return {"*": answer, "anonymous": LOGIN, **overrides}
