"""Bad input through the API: schemathesis generates requests from our OpenAPI document
(/api/openapi.json, the same dict lms.api serves) and sends them to the Django app in
process (WSGI), at least 100 examples per operation, valid and invalid, as three
identities: anonymous, a signed-in session (the platform administrator: every staff
branch is reachable) and a team member's session (the visit app's operations). Checked
on every response: no 5xx, a JSON content type as documented, and a body that matches
the documented schema when the status is a documented one.

Each example runs in a savepoint rolled back afterwards, over the shared world of
tests/security (world.py), so ids in paths sometimes hit real rows. Generation is
derandomised: CI runs the same examples every time (a failure is reproducible).
"""

import pytest
import schemathesis
from django.conf import settings as dj_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from lms.api import api

EXAMPLES = 100
CSRF = "a" * 32  # a CSRF secret: sent as cookie and header, as a browser would

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()
schema.config.generation.update(max_examples=EXAMPLES, deterministic=True)

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Only generated examples: no shrinking (the failing example is reported as it is)
    # and no "explicit" phase, which adds schemathesis' coverage cases on top of the 100.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _keep_the_connection():
    """Django closes the database connection when a request finishes (request_finished →
    close_old_connections); Django's test client switches that off while it runs, and
    so must we around the WSGI calls, or the shared world's transaction goes with it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _session(world, role: str) -> dict:
    _objects, sessions, _tokens = world
    return {
        "cookies": {dj_settings.SESSION_COOKIE_NAME: sessions[role], dj_settings.CSRF_COOKIE_NAME: CSRF},
        "headers": {"X-CSRFToken": CSRF},
    }


def _call(case, **kwargs):
    with transaction.atomic():
        response = case.call(**kwargs)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous(case, world):
    _call(case)


@schema.parametrize()
@FUZZ_SETTINGS
def test_admin_session(case, world):
    _call(case, **_session(world, "admin"))


team_schema = schema.include(path_regex="^/api/v1/(teams|visits)/")


@team_schema.parametrize()
@FUZZ_SETTINGS
def test_team_member_session(case, world):
    _call(case, **_session(world, "team_member"))


# --- What the fuzzing found, pinned --------------------------------------------------------


def test_numbers_past_bigint_are_a_clear_422(world):
    """A page number or id the database cannot hold was a 500 (DataError)."""
    from django.test import Client

    client = Client()
    for url in ("/api/v1/courses/?page=2645510070736404829344047237693440",):
        with transaction.atomic():  # the failed statement aborts only this savepoint
            response = client.get(url)
            transaction.set_rollback(True)
        assert response.status_code == 422, url
        assert response.json()["code"] == "invalid"
        assert "phạm vi" in response.json()["detail"]


def test_a_framework_upload_that_is_not_json_is_a_documented_400(world):
    """POST /api/v1/frameworks documented its 400 as the import report only; a body that
    is not JSON answers the API's error body (found by the admin session's run)."""
    import jsonschema_rs
    from django.test import Client

    client = Client()
    client.cookies[dj_settings.SESSION_COOKIE_NAME] = world[1]["admin"]
    with transaction.atomic():
        response = client.post("/api/v1/frameworks", b"\x00", content_type="application/json")
        transaction.set_rollback(True)
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    document = api.get_openapi_schema()
    documented = document["paths"]["/api/v1/frameworks"]["post"]["responses"][400]
    body_schema = {
        **documented["content"]["application/json"]["schema"], "components": document["components"],
    }
    jsonschema_rs.validate(body_schema, response.json())


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_schemas_share_a_component_name():
    """OpenAPI components are named by class name, and django-ninja keeps the last class
    of a name: two "CompetenceOut" (frameworks, certificates) documented the frameworks'
    competences with the certificate's fields, and two "UnitOut" (places, /me) and two
    "ErrorOut" did the same silently. Every schema class of ours that the document
    names must be the only one of its name."""
    from ninja import Schema

    document = api.get_openapi_schema()
    ours = ("lms.", "content.", "courses.", "assessments.", "community_teams.")
    by_name: dict[str, set[str]] = {}
    for cls in _subclasses(Schema):
        if cls.__module__.startswith(ours):
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {
        name: sorted(where)
        for name, where in by_name.items()
        if len(where) > 1 and name in document["components"]["schemas"]
    }
    assert clashes == {}


def test_unit_level_is_documented_as_a_unit_level():
    """The places API documented a unit's level as a course's (beginner, …): both enums
    were named "Level" in the OpenAPI components."""
    document = api.get_openapi_schema()
    level = document["components"]["schemas"]["UnitOut"]["properties"]["level"]
    assert set(level["enum"]) == {"province", "district", "commune", "village"}

