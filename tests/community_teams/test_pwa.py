"""The visit app's server side: the login-required shell, the web manifest and the
service worker script (content type, scope, precache list, versioning)."""

import json
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from community_teams import pwa
from lms.core.text import fold
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHELL = "/to-cong-nghe-so/ung-dung/"
MANIFEST = SHELL + "manifest.webmanifest"
SW = SHELL + "sw.js"


def test_shell_sends_anonymous_visitors_to_login(client):
    response = client.get(SHELL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/to-cong-nghe-so/ung-dung/"


def test_shell_for_a_signed_in_user(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    client.get(SHELL)  # warm the site chrome cache
    with django_assert_max_num_queries(8):
        response = client.get(SHELL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert f'<link rel="manifest" href="{MANIFEST}">' in html
    # The import map names every module the scripts import, and it is valid JSON.
    import_map = json.loads(re.search(r'<script type="importmap"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert set(import_map["imports"]) == set(pwa.MODULES)
    assert '<script type="module" src="/static/community_teams/app/app.js"></script>' in html
    # Strings for the script come translated, from the page, not from the JavaScript.
    strings = json.loads(re.search(r'id="va-strings"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert strings["queueCount"] == "{n} lượt thăm chờ gửi"
    config = json.loads(re.search(r'id="va-config"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert config["api"] == {
        "devices": "/api/v1/teams/devices",
        "syncData": "/api/v1/teams/sync-data",
        "visitsSync": "/api/v1/visits/sync",
    }
    assert config["serviceWorker"] == SW and config["scope"] == SHELL
    assert config["userId"] == user.pk
    assert config["batchSize"] == 500 and config["staleAfterDays"] == 30
    assert len(config["csrfToken"]) >= 32
    assert "Gửi ngay" in html and "Lưu lượt thăm" in html


def test_only_the_shell_loads_the_app_script(client):
    response = client.get("/")
    assert b"community_teams/app/" not in response.content


def test_manifest_is_public_valid_json_with_png_icons(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(MANIFEST)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content.decode("utf-8"))
    assert data["name"] == "Tổ công nghệ số"
    assert data["start_url"] == SHELL and data["scope"] == SHELL
    assert data["display"] == "standalone"
    purposes = set()
    for icon in data["icons"]:
        assert icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        width, height = (int(n) for n in icon["sizes"].split("x"))
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (width, height)
        purposes.add(icon["purpose"])
    assert {"any", "maskable"} <= purposes
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}


def test_service_worker_script(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(SW)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == SHELL
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert "&quot;" not in script and "&#x27;" not in script  # not HTML-escaped
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", script).group(1))
    assert "/static/css/site.css" in assets and "/static/community_teams/app/app.js" in assets
    for module in pwa.MODULES.values():
        assert f"/static/{module}" in assets
    for url in assets:  # every precached file exists, or installation would fail
        assert finders.find(url.removeprefix("/static/")), url
    assert f"const SHELL = {json.dumps(SHELL)};" in script
    assert re.search(r'const CACHE = PREFIX \+ "[0-9a-f]{12}";', script)


def test_service_worker_cache_name_changes_with_a_cached_file(client, settings, tmp_path):
    settings.DEBUG = True  # no memo: the fingerprint is computed from the files each time

    def version():
        return re.search(r'const CACHE = PREFIX \+ "([0-9a-f]+)";', client.get(SW).content.decode()).group(1)

    before = version()
    assert version() == before
    override = tmp_path / "static"
    (override / "css").mkdir(parents=True)
    (override / "css" / "site.css").write_text("body { color: red; }", encoding="utf-8")
    settings.STATICFILES_DIRS = [override, *settings.STATICFILES_DIRS]
    assert version() != before


def test_service_worker_is_not_login_protected(client):
    assert client.get(SW).status_code == 200


@pytest.mark.skipif(not shutil.which("node"), reason="needs Node.js to run the app's fold.js")
def test_javascript_fold_matches_python_fold():
    samples = [
        "Nguyễn Văn Ánh",
        "Hộ ông Đặng Thị Hoà – thôn Đông",
        "Thanh Hóa",
        "Thanh Hoá",
        "  ĐÀ   NẴNG  ",
        "Lê Thị Ngọc’s",
        "Trần Quốc Tuấn—Bắc Ninh",
        "Phùng Ưng Ơn Ỷ Ậ",
    ]
    fold_js = Path(finders.find("community_teams/app/fold.js")).as_uri()
    program = (
        f"import {{ fold }} from {json.dumps(fold_js)};\n"
        f"console.log(JSON.stringify({json.dumps(samples, ensure_ascii=False)}.map(fold)));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", program], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert json.loads(out) == [fold(sample) for sample in samples]
    assert json.loads(out)[0] == "nguyen van anh"


def test_vendored_idb_is_recorded():
    folder = Path(finders.find("community_teams/app/vendor/idb/idb.js")).parent
    assert "ISC" in (folder / "LICENSE").read_text()
    assert re.search(r"idb \d+\.\d+\.\d+", (folder / "VERSION.txt").read_text())
    assert "export { deleteDB, openDB, unwrap, wrap };" in (folder / "idb.js").read_text()


def test_icons_are_real_pngs():
    for path, size, _purpose in pwa.ICONS:
        data = Path(finders.find(path)).read_bytes()
        with Image.open(BytesIO(data)) as image:
            assert f"{image.size[0]}x{image.size[1]}" == size
