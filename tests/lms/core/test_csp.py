"""The Content-Security-Policy header (lms.core.csp): strict on our pages, a nonce only
where a template uses one, relaxed only under the admin paths, and no template of ours
with the inline code the strict policy refuses. Chromium runs the pages under it in
tests/e2e/test_csp.py."""

import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.core.csp import ContentSecurityPolicyMiddleware
from tests.factories import UserFactory, make_commune, make_province, make_village
from tests.lms.test_settings import _manage

ROOT = Path(__file__).resolve().parents[3]
APPS = ["lms", "content", "courses", "assessments", "community_teams"]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
def test_our_pages_get_the_strict_policy_without_a_nonce(client):
    policy = _policy(client.get("/accounts/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "upgrade-insecure-requests" not in policy  # production only (below)


@pytest.mark.django_db
def test_errors_and_static_files_carry_it_too(client):
    assert "'none'" in client.get("/khong-co-trang-nay/")["Content-Security-Policy"]
    assert client.get("/healthz")["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.django_db
def test_the_visit_app_import_map_carries_the_nonce_of_its_own_response(client):
    village = make_village(make_commune(make_province()))
    member = UserFactory()
    role_assign(user=member, role=Role.TEAM_MEMBER, unit=village)
    client.force_login(member)
    nonces = []
    for _ in range(2):
        response = client.get("/to-cong-nghe-so/ung-dung/")
        html = response.content.decode()
        nonce = re.search(r'<script type="importmap" nonce="([^"]+)">', html).group(1)
        assert _policy(response)["script-src"] == ["'self'", f"'nonce-{nonce}'"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/", "/api/docs"])
def test_admin_paths_get_the_relaxed_policy(client, path):
    policy = _policy(client.get(path))
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]


@pytest.mark.django_db
def test_a_course_page_path_that_merely_contains_admin_is_strict(client):
    assert _policy(client.get("/tin-tuc/admin/"))["script-src"] == ["'self'"]


def test_a_wagtail_preview_is_strict_but_may_be_framed_by_the_admin():
    """Wagtail renders a preview through a dummy request (is_dummy) at the page's path;
    the admin frames it. With frame-ancestors 'none' the live preview stayed blank (seen
    in Chromium, tests/e2e/test_csp.py)."""
    request = RequestFactory().get("/khoa-hoc/dung-vneid/")
    request.is_dummy = True
    policy = _policy(ContentSecurityPolicyMiddleware(lambda r: HttpResponse("x"))(request))
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    plain = _policy(ContentSecurityPolicyMiddleware(lambda r: HttpResponse("x"))(RequestFactory().get("/")))
    assert plain["frame-ancestors"] == ["'none'"]


def test_a_header_set_before_is_kept():
    """A view's own policy, or a cached response's header (paired with the nonce in its
    cached body), is not replaced."""
    own = "default-src 'none'"

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = own
        return response

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == own


def test_production_upgrades_insecure_requests():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.CSP_POLICY['upgrade-insecure-requests'] == [] and "
        "s.CSP_RELAXED_POLICY['upgrade-insecure-requests'] == [])",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="kynangso.example.vn",
    )
    assert result.stdout.strip().endswith("True"), result.stdout + result.stderr


def _templates():
    for app in APPS:
        yield from (ROOT / app).rglob("templates/**/*.html")


INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>"
)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)


def test_no_template_of_ours_has_inline_code_the_policy_refuses():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("on…= handler", HANDLER),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("<style> element", re.compile(r"<style\b")),
            ("javascript: URL", re.compile(r"href=\"javascript:", re.I)),
        ):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {name}")
    assert found == [], "\n".join(found)
    assert sum(1 for _ in _templates()) > 100  # the scan sees the templates


def test_the_scan_catches_each_kind():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/a.js"></script>')
    assert not INLINE_SCRIPT.search('<script type="importmap" nonce="{{ request.csp_nonce }}">')
    assert HANDLER.search('<button type="button" onclick="go()">')
    assert STYLE_ATTRIBUTE.search('<span style="width: 3%">')
    assert settings.CSP_RELAXED_PATHS  # and the relaxed paths are named
