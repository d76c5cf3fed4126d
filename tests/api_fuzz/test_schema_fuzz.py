"""schemathesis against our own OpenAPI schema: no operation answers any input with a 5xx.

In process: the schema is fetched from /api/schema/ of the WSGI application while the tests are
collected (that needs no database), and every generated request goes straight to the same
application, so it sees the test database and no server or network is involved. One test per
operation; examples are few and derandomized, so a CI run is bounded and repeatable.

Transactional tests, because requests in production run in autocommit: a view that only works
inside the test's surrounding transaction (a `select_for_update` outside `atomic`, a swallowed
database error) must fail here too.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.api_fuzz.conftest import FIRST_LEDGER_ID, LEDGER_EXTERNAL_IDS, LEDGER_IDS

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# Per operation. CI keeps the default; FUZZ_EXAMPLES=500 makes a deeper local run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
EXTERNAL_ID_FIELDS = {"external_id", "payer_external_id", "invoice_external_id"}


# Generated ids almost never name an existing row, so nearly every PATCH, cancel and payment
# would stop at "not found" before its body is read. Every other generated id is pointed at one
# of the tenant's rows instead: a pure function of the drawn value, so runs repeat and shrink.


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    return _pointed_at_ledger(path_parameters, keys=None)


@schema.hook
def map_body(context: Any, body: Any) -> Any:
    return _pointed_at_ledger(body, keys=EXTERNAL_ID_FIELDS)


def _pointed_at_ledger(value: Any, *, keys: set[str] | None) -> Any:
    """`value` with the ids under `keys` (any key when None), at any depth, pointed as above."""
    if isinstance(value, dict):
        return {
            key: _ledger_id(item)
            if keys is None or key in keys
            else _pointed_at_ledger(item, keys=keys)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_pointed_at_ledger(item, keys=keys) for item in value]
    return value


def _ledger_id(value: Any) -> Any:
    """An id or external id of the ledger for ids of even length; other values as drawn."""
    if isinstance(value, bool) or not isinstance(value, int | str) or len(str(value)) % 2:
        return value
    if isinstance(value, int):
        return FIRST_LEDGER_ID + value // 2 % len(LEDGER_IDS)
    return LEDGER_EXTERNAL_IDS[len(value) // 2 % len(LEDGER_EXTERNAL_IDS)]


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_operation_answers_with_a_server_error(case, fuzz_auth):
    case.call_and_validate(
        headers=fuzz_auth,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
