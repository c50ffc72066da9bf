"""Every operation of the API's own schema, called as the tablet and as a state token with
generated parameters and bodies, valid and invalid: no answer is a server error, and every
answer is one the schema documents (status code, content type, headers, body).

The operations come from the schema the app serves, so an endpoint added to the API is
tested here the moment it is routed and documented. Hypothesis runs derandomized (the same
examples every run) and bounded, so the test is as repeatable as the rest of the suite."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_contract.conftest import Caller

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    # Invalid parameters and bodies are refused (4xx), never taken for valid ones.
    negative_data_rejection,
]
# An operation that asks for sign-in refuses the same call without the token. (Schemathesis
# cannot take a session cookie away to probe; the access matrix asks every route anonymously.)
TOKEN_CHECKS = [*CHECKS, ignored_auth]

EXAMPLES = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    # The schema fixture is per test, on purpose: the calls see that test's data.
    suppress_health_check=list(HealthCheck),
)


def test_every_answer_is_documented_and_none_is_a_server_error(
    api_schema: Any, caller: Caller
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {"GET /api/v1/me/", "GET /api/v1/programs/", "GET /api/v1/languages/"} <= labels
    # The caller is signed in: the calls below test more than the 401s.
    me = (
        api_schema["/api/v1/me/"]["GET"].Case().call(headers=caller.headers, cookies=caller.cookies)
    )
    assert me.status_code == 200
    assert me.json()["username"] == caller.user.username

    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @EXAMPLES
            @given(case=operation.as_strategy(mode))
            def call(case: Case) -> None:
                case.call_and_validate(
                    headers=caller.headers,
                    cookies=caller.cookies,
                    checks=TOKEN_CHECKS if caller.name == "state_token" else CHECKS,
                )

            try:
                call()
            except Unsatisfiable:
                # Nothing to send wrong: the operation takes no parameters and no body.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (AssertionError, BaseExceptionGroup) as error:  # each operation is reported
                failures.append(f"{operation.label} ({mode.value}, as {caller.name}):\n{error}")
    assert not failures, "\n\n".join(failures)
