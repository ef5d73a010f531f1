"""The authorisation matrix: every URL pattern of our apps and every API operation, for
every role, with objects inside and outside the role's scope.

The expectations live in tests/security/matrix.py (read its header to add an entry: a
new URL pattern or API operation without one fails test_every_url_has_an_entry /
test_every_api_operation_has_an_entry). The world they refer to is built once per
module and process (tests/security/world.py); each request runs in a savepoint that is
rolled back, so a POST by one role never changes what the next one sees.
"""

import json

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from tests.security import matrix
from tests.security.urlwalk import api_operations, own_patterns
from tests.security.world import ROLES

pytestmark = pytest.mark.django_db


# --- Coverage: nothing without an entry ----------------------------------------------------


def test_every_url_has_an_entry():
    keys = {p.key for p in own_patterns()}
    missing = sorted(keys - set(matrix.URLS))
    assert not missing, (
        "URL patterns without an entry in tests/security/matrix.py URLS (see its header): "
        + ", ".join(missing)
    )
    stale = sorted(set(matrix.URLS) - keys)
    assert not stale, "entries for URL patterns that no longer exist: " + ", ".join(stale)


def test_every_api_operation_has_an_entry():
    operations = set(api_operations())
    missing = sorted(operations - set(matrix.API))
    assert not missing, (
        "API operations without an entry in tests/security/matrix.py API (see its header): "
        + ", ".join(missing)
    )
    stale = sorted(set(matrix.API) - operations)
    assert not stale, "entries for API operations that no longer exist: " + ", ".join(stale)


def test_every_probe_names_every_role():
    for table in (matrix.URLS, matrix.API, matrix.SAMPLE):
        for key, probes in table.items():
            assert probes, key
            for probe in probes:
                assert set(probe.expect) == set(ROLES), key


def _value(objects, name):
    if isinstance(name, matrix.lit):
        return name.value
    obj = objects[name]
    if type(obj).__name__.endswith("Certificate"):
        return obj.code  # certificates are addressed by their code
    return getattr(obj, "pk", obj)


class _Names(dict):
    def __init__(self, objects):
        super().__init__()
        self.objects = objects

    def __missing__(self, key):
        return _value(self.objects, key)


def _url(key: str, probe: matrix.P, objects) -> str:
    kwargs = {k: _value(objects, v) for k, v in probe.kwargs.items()}
    if key.startswith("/"):
        path = key
    elif " /api/" in key:
        path = key.split(" ", 1)[1]
        for k, v in kwargs.items():
            path = path.replace("{" + k + "}", str(v))
    elif ":" in key:
        path = reverse(key, kwargs=kwargs)
    else:
        path = "/" + key
    query = probe.query.format_map(_Names(objects)) if probe.query else ""
    return f"{path}?{query}" if query else path


def _request(client: Client, method: str, url: str, data, api: bool, headers=None):
    if api:
        return client.generic(
            method, url, data=b"" if data is None else json.dumps(data),
            content_type="application/json", headers=headers,
        )
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data or {})
    return client.generic(method, url)


def _outcome(response) -> str | int:
    if response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL)):
        return matrix.LOGIN
    return response.status_code


def _run(world, key: str, probes: list[matrix.P], *, api: bool = False, bearer: bool = False) -> None:
    objects, sessions, tokens = world
    client = Client()
    wrong = []
    for n, probe in enumerate(probes):
        url = _url(key, probe, objects)
        method = key.split(" ", 1)[0] if api else probe.method
        expect = (probe.bearer or probe.expect) if bearer else probe.expect
        for role in ROLES:
            client.cookies.clear()
            headers = None
            if role != "anonymous" and bearer:
                headers = {"Authorization": f"Bearer {tokens[role]}"}
            elif role != "anonymous":
                client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
            with transaction.atomic():
                response = _request(client, method, url, probe.data, api, headers)
                transaction.set_rollback(True)
            got, expected = _outcome(response), expect[role]
            if response.status_code >= 500 or got != expected:
                body = response.content[:160].decode("utf-8", "replace") if api else ""
                wrong.append(f"  probe {n} {method} {url} as {role}: expected {expected}, got {got} {body}")
    assert not wrong, f"{key}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("key", sorted(matrix.URLS))
def test_pages(world, key):
    _run(world, key, matrix.URLS[key])


@pytest.mark.parametrize("key", sorted(matrix.API))
@pytest.mark.parametrize("auth", ["session", "bearer"])
def test_api(world, key, auth):
    _run(world, key, matrix.API[key], api=True, bearer=auth == "bearer")


def test_device_token(world):
    """The visit app's device token: its owner's register, nobody else's device, and a
    revoked device is refused (401) even for its owner."""
    from community_teams.services import device_revoke

    objects, _sessions, _tokens = world
    client = Client()
    device = {"Authorization": f"Device {objects['device_in_token']}"}
    assert client.get("/api/v1/teams/sync-data", headers=device).status_code == 200
    other = f"/api/v1/teams/devices/{objects['device_out'].pk}"
    assert client.delete(other, headers=device).status_code == 404
    assert client.get("/api/v1/teams/sync-data", headers={"Authorization": "Device bad"}).status_code == 401
    with transaction.atomic():
        device_revoke(device=objects["device_in"], by=objects["users"]["team_member"])
        assert client.get("/api/v1/teams/sync-data", headers=device).status_code == 401
        transaction.set_rollback(True)


@pytest.mark.parametrize("key", sorted(matrix.SAMPLE))
def test_admin_and_allauth_sample(world, key):
    _run(world, key, matrix.SAMPLE[key])
