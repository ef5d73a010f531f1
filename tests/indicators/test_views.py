"""Dashboards, the list behind a figure, exports, targets and review pages."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from community_teams.indicators.models import QualityFlag
from community_teams.indicators.services import rollups_rebuild, rollups_refresh
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_village
from tests.indicators.conftest import SINCE, TODAY, sync, visit


@pytest.fixture(autouse=True)
def _first_month(settings):
    settings.INDICATORS_FIRST_MONTH = "2026-06"


@pytest.fixture
def data(world):
    for v in world["villages"]:
        (h, p), _ = world["households"][v.pk]
        sync(
            world["members"][v.pk],
            [visit(h, p, day=datetime.date(2026, 9, 3), acts=[("install_vneid", "done", 0)])],
        )
    rollups_rebuild(today=TODAY)
    return world


Q = "?chi-so=digital_identity&ky=2026-09"


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response


def test_province_dashboard_shows_figure_target_and_ranked_communes(client, data):
    client.force_login(data["province_officer"])
    n, response = _count(client, reverse("indicators:unit", args=[data["province"].pk]) + Q)
    html = response.content.decode()
    assert "25,0%" in html  # 3 of 12 residents 14+ (Vietnamese decimal comma)
    assert "Xã Một" in html and "Xã Hai" in html
    assert "100" in html  # the 2030 draft target of digital identity
    assert reverse("indicators:unit", args=[data["communes"][0].pk]) in html


def test_dashboard_queries_do_not_grow_with_units(client, data):
    client.force_login(data["province_officer"])
    url = reverse("indicators:unit", args=[data["communes"][0].pk]) + Q
    client.get(url)  # warm: the session and site settings are cached after a first request
    before, _r = _count(client, url)
    for i in range(6):
        village = make_village(data["communes"][0], f"Thôn thêm {i}")
        member = UserFactory()
        role_assign(user=member, role=Role.TEAM_MEMBER, unit=village, valid_from=SINCE)
        from tests.indicators.conftest import make_household

        make_household(by=member, village=village, label=f"Hộ thêm {i}")
    rollups_rebuild(today=TODAY)
    after, response = _count(client, url)
    assert "Thôn thêm 5" in response.content.decode()
    assert after == before
    assert after <= 16


def test_scope_outside_is_404_and_nation_only_for_national(client, data):
    client.force_login(data["commune_officer"])
    assert client.get(reverse("indicators:unit", args=[data["communes"][1].pk])).status_code == 404
    assert client.get(reverse("indicators:unit", args=[data["province"].pk])).status_code == 404
    assert client.get(reverse("indicators:nation")).status_code == 404
    assert client.get(reverse("indicators:list", args=[data["villages"][2].pk]) + Q).status_code == 404
    assert client.get(reverse("indicators:export", args=[data["communes"][1].pk, "csv"])).status_code == 404
    assert client.get(reverse("indicators:unit", args=[data["communes"][0].pk])).status_code == 200
    assert client.get(reverse("indicators:home")).status_code == 302


def test_list_behind_a_village_figure_shows_households_in_scope(client, data):
    village = data["villages"][0]
    client.force_login(data["commune_officer"])
    response = client.get(reverse("indicators:list", args=[village.pk]) + Q)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hộ Thôn A 0" in html and "Hộ Thôn A 1" in html
    assert html.count('<strong class="ind-good">') == 1  # one of four residents counted
    # Above a village the list is the units below (counts, no households).
    response = client.get(reverse("indicators:list", args=[data["communes"][0].pk]) + Q)
    assert response.status_code == 302 and response["Location"].endswith("#units")


def test_national_officer_sees_tiles_and_exports(client, data):
    national = UserFactory()
    role_assign(user=national, role=Role.NATIONAL_OFFICER, valid_from=SINCE)
    client.force_login(national)
    response = client.get(reverse("indicators:nation") + Q)
    assert response.status_code == 200 and "Tỉnh Chỉ Số" in response.content.decode()
    response = client.get(reverse("indicators:nation_export", args=["csv"]) + Q)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    ident = [r for r in rows if r[3] == "digital_identity"]
    assert {(r[1], r[6], r[7]) for r in ident} == {("Toàn quốc", "3", "12"), ("Tỉnh Chỉ Số", "3", "12")}
    response = client.get(reverse("indicators:export", args=[data["province"].pk, "xlsx"]) + Q)
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    commune_row = [v for v in values if v[1] == "Xã Một" and v[3] == "digital_identity"][0]
    assert (commune_row[6], commune_row[7]) == (2, 8)


def test_targets_page_sets_a_target_with_warning(client, data):
    client.force_login(data["commune_officer"])
    url = reverse("indicators:targets", args=[data["communes"][0].pk])
    response = client.post(url, {"target_code": "smartphone", "year": "2026", "percent": "50"}, follow=True)
    assert "Thấp hơn chỉ tiêu" in response.content.decode()
    response = client.post(url, {"target_code": "smartphone", "year": "2026", "percent": "500"})
    assert "từ 0 đến 100" in response.content.decode()


def test_review_page_reviews_and_closes(client, data):
    village = data["villages"][0]
    (h, p), _ = data["households"][village.pk]
    sync(
        data["members"][village.pk],
        [visit(h, p, day=datetime.date(2026, 9, 5), acts=[("install_vneid", "done", 1)])],
    )
    rollups_refresh(today=TODAY)
    commune = data["communes"][0]
    client.force_login(data["commune_officer"])
    url = reverse("indicators:review", args=[commune.pk])
    html = client.get(url).content.decode()
    flags = list(QualityFlag.objects.filter(commune=commune))
    assert "Cùng hoạt động cho cùng hộ" in html
    html = client.post(url, {"approve_month": "2026-09"}, follow=True).content.decode()
    assert "chưa xem xét" in html
    for flag in flags:
        client.post(url, {"flag": flag.pk, "state": "accepted"})
    html = client.post(url, {"approve_month": "2026-09"}, follow=True).content.decode()
    assert "Đã duyệt và khoá sổ" in html
    client.force_login(data["province_officer"])
    assert client.get(url).status_code == 404


def test_api_figures_in_scope_only(client, data):
    client.force_login(data["commune_officer"])
    url = "/api/v1/indicators/figures"
    response = client.get(
        url, {"indicator": "digital_identity", "period": "2026-09", "unit": data["communes"][0].pk}
    )
    body = response.json()
    assert response.status_code == 200, body
    assert (body["numerator"], body["denominator"], body["percent"]) == (2, 8, "25.0")
    assert {c["name"] for c in body["children"]} == {"Thôn A", "Thôn B"}
    assert body["target"]["year"] == 2030 and body["target"]["status"] == "draft"
    other = client.get(
        url, {"indicator": "digital_identity", "period": "2026-09", "unit": data["communes"][1].pk}
    )
    assert other.status_code == 404 and other.json()["code"]
    assert client.get(url, {"indicator": "digital_identity", "period": "2026-09"}).status_code == 404
    assert client.get(url, {"indicator": "digital_identity", "period": "26-9"}).status_code == 422
    assert len(client.get("/api/v1/indicators/").json()) == 13


def test_team_page_lists_households_still_to_visit(client, data):
    village = data["villages"][0]
    member = data["members"][village.pk]
    client.force_login(member)
    url = reverse("indicators:team", args=[village.pk]) + "?ky=2026-09"
    html = client.get(url).content.decode()
    assert "Hộ Thôn A 1" in html.split('id="team-progress"')[0]  # not visited in September
    assert "Hộ Thôn A 0" not in html.split('id="team-progress"')[0]
    assert "Hộ Thôn A 0" in html.split('id="team-visits"')[1]  # its visit
    assert client.get(reverse("indicators:team", args=[data["villages"][1].pk])).status_code == 404
    assert client.get(reverse("indicators:home")).status_code == 302
