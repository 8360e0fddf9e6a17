"""Property-based fuzzing of every /v1 operation from the OpenAPI document (Schemathesis), as an
organisation's admin: whatever it sends, valid or not, no 5xx, and every answer matches the
documented schema.

Schemathesis's own pytest plugin does not run under this pytest, so each operation gets a plain
Hypothesis test over the operation's strategies."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from interdiction.api.routes import router
from interdiction.auth.policy import Role

from .conftest import make_org

# A quick pass per run; a deep one with INTERDICTION_FUZZ_EXAMPLES=150 (minutes; it found the
# 500s on NUL characters and out-of-range numbers that test_api now covers).
EXAMPLES_PER_OPERATION = int(os.environ.get("INTERDICTION_FUZZ_EXAMPLES", "15"))
OPERATIONS = sorted((method, route.path) for route in router.routes for method in route.methods)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def admin_headers(service) -> dict[str, str]:
    return make_org(service, "fuzz").headers(Role.ADMIN)


def test_every_operation_is_fuzzed(api_schema):
    documented = {
        (method.upper(), path)
        for path, methods in api_schema.raw_schema["paths"].items()
        for method in methods
    }
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_errors_and_documented_answers(api_schema, admin_headers, method, path):
    operation = api_schema[path][method]
    definition = api_schema.raw_schema["paths"][path][method.lower()]
    # An operation that takes nothing but the key has one request to make.
    takes_input = "parameters" in definition or "requestBody" in definition
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION if takes_input else 1,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=cases)
    def fuzz(case):
        case.call_and_validate(headers=admin_headers, checks=CHECKS)

    fuzz()
