"""The lookup page in the machine's Chromium at 360 px: no sideways scroll, diacritics shown."""

import datetime

import pytest

from lms.places.models import LEGACY_EDITION, UnitSuccession
from lms.places.services import unit_create
from tests.factories import make_commune, make_province

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_lookup_at_360px(live_server, browser_page):
    hanoi = make_province("Thành phố Hà Nội", code="01")
    ba_dinh = make_commune(hanoi, "Phường Ba Đình", code="00004")
    district = unit_create(name="Quận Ba Đình", level="district", code="001", edition=LEGACY_EDITION)
    truc_bach = unit_create(name="Phường Trúc Bạch", level="commune", code="00004", parent=district,
                            edition=LEGACY_EDITION)
    UnitSuccession.objects.create(predecessor=truc_bach, successor=ba_dinh, kind="whole",
                                  effective_date=datetime.date(2025, 7, 1))
    page = browser_page
    page.goto(f"{live_server.url}/don-vi-hanh-chinh/tra-cuu/")
    page.get_by_label("Tên xã, phường cũ hoặc mới").fill("truc bach")
    page.get_by_role("button", name="Tra cứu").click()  # a plain GET form, no JavaScript
    page.wait_for_load_state()
    text = page.inner_text("main")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert "Phường Ba Đình" in text and "Phường Trúc Bạch" in text
    assert width <= 360
