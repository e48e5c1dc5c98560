"""Property-based fuzzing of the widget gateway and the internal API from the OpenAPI spec
the service publishes (/api/openapi.json), against the real HTTP server.

Every operation gets generated requests, valid and invalid (schemathesis's coverage and
fuzzing phases), and every response must be documented: no 500s, only documented status
codes and content types, bodies and headers as the spec describes them."""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict

import pytest
import schemathesis

from tests.fuzz.conftest import FuzzServer

SEED = 20240601  # a fixed seed and deterministic generation: CI sees the same cases each run
MAX_EXAMPLES = 25  # per operation, on top of the coverage phase's boundary cases
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]

# Most requests present the right credentials, so that generated data reaches the code
# behind them; the rest keep what the fuzzer made up (a made-up conversation id or token,
# or none) or present a wrong token, which must be refused with a documented 401 or 404.
# The choice follows from the case itself, so a failing case replays the same way.
CREDENTIALS = ("right", "right", "generated", "right", "wrong token")


def fuzz_config(server: FuzzServer) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": server.url,
            "request-timeout": 10,
            # The gateway's event stream never ends on its own; the server ends it after
            # a fraction of a second here, and the fuzzer reads at most this many events.
            "max-stream-events": 50,
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "no-shrink": True,
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True, "unexpected-methods": []},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )


@pytest.fixture(scope="module")
def api_schema(fuzz_server: FuzzServer):
    return schemathesis.openapi.from_url(
        f"{fuzz_server.url}/api/openapi.json", config=fuzz_config(fuzz_server), timeout=10
    )


schema = schemathesis.pytest.from_fixture("api_schema")


def _set_authorization(case, value: str | None) -> None:
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    if value is not None:
        case.headers["Authorization"] = value


def present_credentials(case, server: FuzzServer) -> str | None:
    """Put this turn's credentials on the case; return the turn when it changed anything."""
    drawn = repr((case.method, case.path, case.path_parameters, case.query, case.headers, case.body))
    draw = zlib.crc32(drawn.encode("utf-8", "surrogatepass"))
    turn = CREDENTIALS[draw % len(CREDENTIALS)]
    if turn == "generated":
        return None
    if case.path.startswith("/api/"):
        token = server.service_token if turn == "right" else "not-the-service-token"
        _set_authorization(case, f"Bearer {token}")
        if turn == "right" and draw // len(CREDENTIALS) % 2:  # half of these look up a real one
            for name in (case.path_parameters or {}).keys() & server.known_ids.keys():
                case.path_parameters[name] = server.known_ids[name]
        return turn
    if "conversation_id" in (case.path_parameters or {}):
        conversation = server.conversation
        token = conversation.token if turn == "right" else conversation.token[::-1]
        case.path_parameters["conversation_id"] = conversation.id
        _set_authorization(case, f"Bearer {token}")
        return turn
    return None


# Status codes seen per operation, for the check that follows the fuzzing.
OUTCOMES: dict[str, Counter] = defaultdict(Counter)


@schema.parametrize()
def test_api_keeps_to_its_spec(case, fuzz_server: FuzzServer):
    turn = present_credentials(case, fuzz_server)
    response = case.call_and_validate()
    OUTCOMES[case.operation.label][response.status_code] += 1
    if turn == "wrong token":
        # A body that is too large or not JSON is refused before anything looks at the token.
        refused_first = (400, 413, 422) if case.body is not None else ()
        assert (
            response.status_code == 401 or response.status_code in refused_first
        ), f"{case.operation.label} with a wrong token: {response.status_code}"


def test_fuzzing_reached_every_operation():
    """Generated requests got past the credentials and validation to a success on every
    operation, so the fuzzing above exercised the code behind them (runs after it)."""
    assert OUTCOMES, "run with test_api_keeps_to_its_spec"
    print("\n".join(f"{label}: {dict(sorted(codes.items()))}" for label, codes in sorted(OUTCOMES.items())))
    unreached = [label for label, codes in OUTCOMES.items() if not any(200 <= code < 300 for code in codes)]
    assert not unreached, f"no generated request succeeded on {unreached}"
