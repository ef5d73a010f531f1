"""The import page for figures recorded before the 2025 reorganisation: preview with a
report per row, all or nothing, only for the officers who may, and the page at 360 px."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from community_teams.indicators.models import Level, RecordedFigure, Rollup
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.places.models import LEGACY_EDITION, UnitSuccession
from lms.places.services import unit_create
from tests.factories import UserFactory, make_province
from tests.indicators.conftest import SINCE, TODAY, world  # noqa: F401 - the fixture

GOOD = (
    "old_commune_code,village,indicator,period,numerator,denominator,source\n"
    "90001,,smartphone,2024,30,50,Báo cáo UBND xã Đồng Tâm năm 2024\n"
    "90001,Thôn A,smartphone,2024,10,20,Sổ theo dõi của thôn\n"
    "90002,,digital_identity,2025-Q1,7,9,Báo cáo quý\n"
)


@pytest.fixture
def legacy(world):  # noqa: F811
    old_province = unit_create(name="Tỉnh Cũ", level="province", code="L9", edition=LEGACY_EDITION)
    whole = unit_create(
        name="Xã Đồng Tâm", level="commune", parent=old_province, code="90001", edition=LEGACY_EDITION
    )
    partial = unit_create(
        name="Xã Hòa Bình", level="commune", parent=old_province, code="90002", edition=LEGACY_EDITION
    )
    c1, c2 = world["communes"]
    reform = datetime.date(2025, 7, 1)
    UnitSuccession.objects.create(predecessor=whole, successor=c1, kind="whole", effective_date=reform)
    UnitSuccession.objects.create(predecessor=partial, successor=c1, kind="partial", effective_date=reform)
    UnitSuccession.objects.create(predecessor=partial, successor=c2, kind="partial", effective_date=reform)
    return {"whole": whole, "partial": partial}


def _upload(client, province, text, name="so-lieu.csv", content=None):
    upload = SimpleUploadedFile(name, content if content is not None else text.encode("utf-8"))
    url = reverse("indicators:legacy_import", args=[province.pk])
    return client.post(url, {"file": upload, "preview": "1"})


def test_preview_then_confirm_writes_every_row_and_the_rollups_take_them(
    world,  # noqa: F811
    legacy,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.INDICATORS_FIRST_MONTH = "2026-01"  # 2024 comes from the recorded figures only
    client = Client()
    client.force_login(world["province_officer"])
    response = _upload(client, world["province"], GOOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sẽ ghi: 3 số liệu; lỗi: 0 dòng." in page
    assert "Xã Đồng Tâm" in page
    assert not RecordedFigure.objects.exists()  # a preview writes nothing
    report = response.context["report"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("indicators:legacy_import", args=[world["province"].pk]),
            {"confirm": "1", "payload": response.context["payload"], "filename": "so-lieu.csv"},
            follow=True,
        )
    assert report.ok and response.status_code == 200
    assert "Đã nhập 3 số liệu cũ." in response.content.decode()
    va = world["villages"][0]
    assert set(
        RecordedFigure.objects.values_list(
            "legacy_commune__code", "village_id", "indicator", "period", "numerator"
        )
    ) == {
        ("90001", None, "smartphone", "2024", 30),
        ("90001", va.pk, "smartphone", "2024", 10),
        ("90002", None, "digital_identity", "2025-Q1", 7),
    }
    # The import asked for a rebuild (eager jobs ran it on commit): the whole old commune
    # went into commune 1 (its village part through village A), the partial one is a
    # legacy series under the province.
    c1 = world["communes"][0]
    row = Rollup.objects.get(level=Level.COMMUNE, unit=c1, indicator="smartphone", period="2024")
    assert (row.numerator, row.denominator) == (30, 50)
    row = Rollup.objects.get(level=Level.VILLAGE, unit=va, indicator="smartphone", period="2024")
    assert (row.numerator, row.denominator) == (10, 20)
    row = Rollup.objects.get(level=Level.LEGACY, unit=legacy["partial"], indicator="digital_identity")
    assert (row.numerator, row.denominator, row.province_id) == (7, 9, world["province"].pk)


def test_a_file_with_errors_writes_nothing_and_says_why_per_row(world, legacy):  # noqa: F811
    RecordedFigure.objects.create(
        legacy_commune=legacy["partial"],
        indicator="smartphone",
        period="2024",
        numerator=1,
        denominator=2,
        source="trước",
    )
    text = GOOD + (
        "99999,,smartphone,2024,1,2,x\n"
        "90001,Thôn Không Có,smartphone,2024,1,2,x\n"
        "90001,,không_có,2025-09,5,2,\n"
        "90001,,smartphone,2024,30,50,lặp lại\n"
        "90002,,smartphone,2024,1,2,đã có\n"
        "90002,,smartphone,2023,mười,2,x\n"
    )
    client = Client()
    client.force_login(world["province_officer"])
    response = _upload(client, world["province"], text)
    page = response.content.decode()
    assert "Có 6 dòng lỗi nên chưa dòng nào được ghi." in page
    messages = {r.line: r.message for r in response.context["report"].rows if r.status == "error"}
    assert messages == {
        5: "Không có xã cũ (trước 7/2025) mã “99999”.",
        6: "Không tìm thấy thôn “Thôn Không Có” trong các xã mới của xã cũ này.",
        7: "Không có chỉ số “không_có”. Kỳ báo cáo phải trước tháng 7/2025. Tử số lớn hơn mẫu số. "
        "Thiếu nguồn số liệu.",
        8: "Dòng trùng với một dòng trước trong tệp.",
        9: "Số liệu này đã được nhập trước đây.",
        10: "Tử số và mẫu số phải là số nguyên không âm.",
    }
    assert 'name="confirm"' not in page
    # Confirming the same file anyway (a forged form) still writes nothing.
    import base64

    response = client.post(
        reverse("indicators:legacy_import", args=[world["province"].pk]),
        {"confirm": "1", "payload": base64.b64encode(text.encode()).decode(), "filename": "x.csv"},
    )
    assert RecordedFigure.objects.count() == 1
    # A file that is not a table, and a missing column, get a clear message.
    response = _upload(client, world["province"], "", name="x.xlsx", content=b"PK\x03\x04 not a workbook")
    assert "Không đọc được tệp Excel. Hãy lưu lại dạng .xlsx." in response.content.decode()
    response = _upload(client, world["province"], "old_commune_code,indicator\n90001,smartphone\n")
    assert "Thiếu cột: period, numerator, denominator, source." in response.content.decode()


def test_an_xlsx_file_is_read_too(world, legacy):  # noqa: F811
    from openpyxl import Workbook

    book = Workbook()
    for line in GOOD.splitlines():
        book.active.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    client = Client()
    client.force_login(world["province_officer"])
    response = _upload(client, world["province"], "", name="so-lieu.xlsx", content=out.getvalue())
    assert response.context["report"].ok and response.context["report"].n_create == 3


def test_only_officers_of_the_province_or_the_nation_may_import(world, legacy):  # noqa: F811
    url = reverse("indicators:legacy_import", args=[world["province"].pk])
    client = Client()
    client.force_login(world["commune_officer"])
    assert client.get(url).status_code == 404
    other = UserFactory(username="ind-other-province")
    role_assign(user=other, role=Role.PROVINCE_OFFICER, unit=make_province("Tỉnh Khác"), valid_from=SINCE)
    client.force_login(other)
    assert client.get(url).status_code == 404
    national = UserFactory(username="ind-national-import")
    role_assign(user=national, role=Role.NATIONAL_OFFICER, valid_from=SINCE)
    client.force_login(national)
    assert client.get(url).status_code == 200
    # A commune page has no import.
    assert client.get(reverse("indicators:legacy_import", args=[world["communes"][0].pk])).status_code == 404
    client.force_login(world["province_officer"])
    response = client.get(url)
    assert response.status_code == 200 and "Nhập số liệu trước sắp xếp" in response.content.decode()
    assert TODAY  # the shared fixtures' date


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_import_page_at_360px(world, legacy, live_server, browser_page, screenshot_dir, tmp_path):  # noqa: F811
    client = Client()
    client.force_login(world["province_officer"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = browser_page
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(live_server.url + reverse("indicators:legacy_import", args=[world["province"].pk]))
    bad = tmp_path / "so-lieu.csv"
    bad.write_text(GOOD + "90001,Thôn Không Có,smartphone,2024,1,2,Sổ của thôn\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    assert "Có 1 dòng lỗi nên chưa dòng nào được ghi." in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "indicators-legacy-import-360.png"), full_page=True)
    good = tmp_path / "dung.csv"
    good.write_text(GOOD, encoding="utf-8")
    page.set_input_files("input[name=file]", str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_role("button", name="Xác nhận nhập").click()
    assert "Đã nhập 3 số liệu cũ." in page.content()
    assert RecordedFigure.objects.count() == 3
