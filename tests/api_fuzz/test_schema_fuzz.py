"""schemathesis against our own OpenAPI schema: no operation answers any input with a 5xx.

In process: the schema is fetched from /api/schema/ of the WSGI application while the tests are
collected (no database is needed for that), and every generated request goes straight to the
same application, so it sees the test database and no server or network is involved. One test
per operation; examples are few and derandomized, so a CI run is bounded and repeatable.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# Per operation. CI keeps the default; FUZZ_EXAMPLES=500 makes a deeper local run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))


@pytest.mark.django_db(transaction=True, reset_sequences=True)
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
def test_the_api_never_answers_with_a_server_error(case, fuzz_auth):
    case.call_and_validate(headers=fuzz_auth, checks=[not_a_server_error])
