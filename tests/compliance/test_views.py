"""Dashboard, person list, exports and API: scope on every endpoint, the same figures
everywhere, fixed query counts."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from courses.compliance.exports import figure_values
from courses.compliance.selectors import compliance_for_agency, dti_evidence_for_agency
from courses.compliance.services import rollups_rebuild
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_agency

from .conftest import assignment_row, manager_of

pytestmark = pytest.mark.django_db
YEAR = {"nam": "2025"}


def endpoints(agency_id: int) -> list[str]:
    return [
        reverse("compliance:agency", args=[agency_id]),
        reverse("compliance:people", args=[agency_id]),
        reverse("compliance:export", args=[agency_id, "xlsx"]),
        reverse("compliance:export", args=[agency_id, "pdf"]),
        reverse("compliance:dti", args=[agency_id]),
        reverse("compliance:dti_export", args=[agency_id, "xlsx"]),
        reverse("compliance:dti_export", args=[agency_id, "pdf"]),
        f"/api/v1/compliance/agencies/{agency_id}",
    ]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_manager_sees_own_subtree_only_on_every_endpoint(counted):
    rollups_rebuild()
    client = client_for(manager_of(counted["a"]))
    for agency in ("a", "a1"):
        for url in endpoints(counted[agency].pk):
            assert client.get(url, YEAR).status_code == 200, url
    for agency in ("so", "b", "other"):
        for url in endpoints(counted[agency].pk):
            response = client.get(url, YEAR)
            assert response.status_code == 404, url
            assert "Phòng B".encode() not in response.content
    assert client.get(reverse("compliance:home")).url == reverse("compliance:agency", args=[counted["a"].pk])


def test_civil_servant_role_elsewhere_does_not_widen_a_managers_scope(counted):
    manager = manager_of(counted["a"])
    role_assign(user=manager, role=Role.CIVIL_SERVANT, agency=counted["b"],
                valid_from=datetime.date(2020, 1, 1))
    client = client_for(manager)
    for url in endpoints(counted["b"].pk):
        assert client.get(url, YEAR).status_code == 404, url


def test_civil_servants_and_strangers_see_nothing(counted):
    servant = UserFactory()
    role_assign(user=servant, role=Role.CIVIL_SERVANT, agency=counted["a"],
                valid_from=datetime.date(2020, 1, 1))
    client = client_for(servant)
    assert client.get(reverse("compliance:home")).status_code == 403
    for url in endpoints(counted["a"].pk):
        assert client.get(url, YEAR).status_code == 404, url
    anonymous = Client()
    for url in endpoints(counted["a"].pk)[:-1]:
        assert anonymous.get(url).status_code == 302, url
    assert anonymous.get(endpoints(counted["a"].pk)[-1]).status_code == 401


def test_person_list_is_the_agencys_own_people_paginated(counted):
    client = client_for(manager_of(counted["so"]))
    url = reverse("compliance:people", args=[counted["a"].pk])
    page = client.get(url, YEAR).content.decode()
    for i in (1, 2, 3, 4, 5, 6, 7):
        assert f"Người Thử {i:02d}" in page
    for i in (8, 9, 10, 11, 12):  # Tổ A1, Phòng B, the Sở itself, the other Sở
        assert f"Người Thử {i:02d}" not in page
    for _i in range(55):
        assignment_row(counted["plan"], UserFactory(full_name="Zê Thêm"), counted["a"])
    first = client.get(url, YEAR).content.decode()
    second = client.get(url, {**YEAR, "trang": "2"}).content.decode()
    assert first.count("Zê Thêm") + second.count("Zê Thêm") == 55
    assert "Trang 2/2" in second


def test_dashboard_page_shows_the_selector_figures_in_fixed_queries(
    counted, django_assert_max_num_queries
):
    rollups_rebuild()
    client = client_for(manager_of(counted["so"]))
    url = reverse("compliance:agency", args=[counted["so"].pk])
    client.get(url, YEAR)  # the first request of a session also loads site-wide settings
    with django_assert_max_num_queries(16) as small:
        page = client.get(url, YEAR).content.decode()
    report = compliance_for_agency(agency=counted["so"], year=2025)
    assert f"<strong>{report.totals.assigned}</strong>" in page
    assert f"<strong>{report.totals.overdue}</strong>" in page
    assert "chart.umd.min.js" in page and 'id="cmp-trend-data"' in page
    for i in range(12):
        unit = make_agency(f"Xã {i}", parent=counted["b"], code=f"CMP-V{i}")
        assignment_row(counted["plan"], UserFactory(), unit, status="in_progress")
    rollups_rebuild()
    with django_assert_max_num_queries(len(small)) as large:
        client.get(url, YEAR)
    assert len(large) == len(small), "\n".join(q["sql"][:150] for q in large.captured_queries)


def test_pages_without_a_chart_do_not_load_chartjs(counted):
    client = client_for(manager_of(counted["so"]))
    page = client.get(reverse("compliance:people", args=[counted["a"].pk]), YEAR).content.decode()
    assert "chart.umd" not in page
    url = reverse("compliance:agency", args=[counted["so"].pk])
    empty = client.get(url, {"nam": "2031"}).content.decode()
    assert "chart.umd" not in empty and "Chưa có ai được giao" in empty


def sheet_rows(book, name):
    return [list(r) for r in book[name].iter_rows(values_only=True)]


def test_xlsx_says_what_the_selector_says(counted):
    rollups_rebuild()
    client = client_for(manager_of(counted["so"]))
    response = client.get(reverse("compliance:export", args=[counted["so"].pk, "xlsx"]), YEAR)
    assert response["Content-Disposition"].startswith('attachment; filename="tuan-thu-CMP-SO-2025-')
    book = load_workbook(io.BytesIO(response.content))
    report = compliance_for_agency(agency=counted["so"], year=2025)
    info = dict(sheet_rows(book, "Thông tin"))
    assert info["Phạm vi"] == "Sở Nội vụ Tỉnh Thử và các đơn vị trực thuộc"
    assert info["Kỳ báo cáo"] == "Năm 2025: từ 01/01/2025 đến 31/12/2025"
    assert info["Thời điểm lập báo cáo"] and info["Số liệu tổng hợp lúc"] != "chưa tổng hợp"
    assert sheet_rows(book, "Tổng hợp")[1][1:] == figure_values(report.totals)
    units = {r[0]: r[1:] for r in sheet_rows(book, "Theo đơn vị")[1:]}
    for row in report.children:
        assert units[row.label] == figure_values(row.figures)
    assert units["Trực tiếp tại Sở Nội vụ Tỉnh Thử"] == figure_values(report.direct)
    positions = {r[0]: r[1:] for r in sheet_rows(book, "Theo chức danh")[1:]}
    assert positions == {row.label: figure_values(row.figures) for row in report.by_position}
    months = sheet_rows(book, "Theo tháng (cuối mỗi tháng)")[1:]
    assert [(r[1], r[2], r[5]) for r in months] == [
        (m.assigned, m.completed, m.overdue) for m in report.months]


def test_pdf_states_scope_period_and_figures(counted):
    rollups_rebuild()
    client = client_for(manager_of(counted["so"]))
    response = client.get(reverse("compliance:export", args=[counted["so"].pk, "pdf"]), YEAR)
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Sở Nội vụ Tỉnh Thử và các đơn vị trực thuộc" in text
    assert "từ 01/01/2025 đến 31/12/2025" in text
    assert "Thời điểm lập báo cáo" in text
    report = compliance_for_agency(agency=counted["so"], year=2025)
    totals = "Toàn bộ phạm vi " + " ".join(str(v) for v in figure_values(report.totals))
    assert totals in text.replace("\n", " ")


def test_api_returns_the_selector_figures(counted):
    rollups_rebuild()
    client = client_for(manager_of(counted["so"]))
    body = client.get(f"/api/v1/compliance/agencies/{counted['so'].pk}", {"year": 2025}).json()
    report = compliance_for_agency(agency=counted["so"], year=2025)
    assert body["totals"] == report.totals.as_dict()
    assert {c["name"]: c["figures"] for c in body["children"]} == {
        r.label: r.figures.as_dict() for r in report.children}
    assert [m["assigned"] for m in body["months"]] == [m.assigned for m in report.months]
    assert (body["date_from"], body["date_to"]) == ("2025-01-01", "2025-12-31")
    bad = client.get(f"/api/v1/compliance/agencies/{counted['so'].pk}", {"year": 1900})
    assert bad.status_code == 422 and bad.json()["detail"]


def test_dti_xlsx_says_what_the_selector_says(counted):
    rollups_rebuild()
    client = client_for(manager_of(counted["so"]))
    response = client.get(reverse("compliance:dti_export", args=[counted["so"].pk, "xlsx"]), YEAR)
    book = load_workbook(io.BytesIO(response.content))
    report = dti_evidence_for_agency(agency=counted["so"], year=2025)
    info = dict(sheet_rows(book, "Thông tin"))
    assert info["Phạm vi"] == "Sở Nội vụ Tỉnh Thử và các đơn vị trực thuộc"
    assert info["Kỳ báo cáo"].startswith("Năm 2025: từ 01/01/2025 đến ")
    trained = sheet_rows(book, "Nhân lực được bồi dưỡng kỹ năng số trong năm"[:31])
    # Counted people: 1, 2, 3, 4, 7, 8, 9, 10, 11; completed all: 1, 2, 7, 9, 11.
    assert trained[1] == [9, 5, 56] == [report.staff, report.trained, report.trained_percent]


def test_home_lists_every_managed_subtree(counted):
    manager = manager_of(counted["a"])
    role_assign(user=manager, role=Role.TRAINING_MANAGER, agency=counted["other"],
                valid_from=datetime.date(2020, 1, 1))
    page = client_for(manager).get(reverse("compliance:home")).content.decode()
    assert "Phòng A" in page and "Sở Khác" in page and "Tổ A1" not in page
