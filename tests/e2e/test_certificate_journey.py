"""Issue 3's "done when", as a person does it in Chromium at 360 px: sign up as
"Nguyễn Thị Ánh", find a course by searching without accents, enrol, complete every
lesson, download the PDF (the name with every diacritic), follow the QR code's link
("valid"), and see the same link say "revoked" after staff revoke the certificate."""

import io
import re

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from content.demo import demo_site_build
from courses.certificates.models import Certificate
from courses.certificates.pdf import qr_matrix
from courses.certificates.services import certificate_revoke
from courses.demo import demo_courses_create
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Mật-khẩu-dài-2026"
NAME = "Nguyễn Thị Ánh"


def _qr_drawn(reader: PdfReader, modules: int) -> list[list[bool]]:
    image = reader.pages[0].images[0].image.convert("L")
    step = image.width // modules
    return [[image.getpixel((x * step + step // 2, y * step + step // 2)) < 128 for x in range(modules)]
            for y in range(modules)]


def test_sign_up_learn_certificate_verify_revoke(live_server, settings, browser_page, screenshot_dir):
    settings.CERTIFICATE_BASE_URL = live_server.url  # the QR code must point at this server
    cache.clear()
    demo_site_build()
    demo_courses_create()
    page = browser_page

    # Sign up with an e-mail address and the full Vietnamese name.
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Họ và tên").fill(NAME)
    page.get_by_label("E-mail").fill("anh@example.test")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_load_state()
    # E-mail sign-ups confirm by link; the confirmation mail is in the test outbox.
    from django.core import mail

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    page.get_by_role("button", name=re.compile("Xác nhận")).click()
    page.wait_for_load_state()

    # Find a course by searching without accents.
    page.goto(live_server.url + "/khoa-hoc/?q=lua+dao")
    page.get_by_role("link", name=re.compile("Nhận diện lừa đảo")).first.click()
    page.get_by_role("button", name="Đăng ký học miễn phí").click()
    page.wait_for_load_state()
    # Enrolling opens the first lesson. Complete every lesson with the no-JavaScript
    # "mark as done" button: each one leads to the next lesson, the last to the course.
    assert "Bạn đã đăng ký khoá học" in page.locator("main").inner_text()
    done = page.get_by_role("button", name="Đánh dấu đã học xong")
    for _ in range(40):
        if done.count() == 0:
            break
        done.click()
        page.wait_for_load_state()
    assert "Chúc mừng! Bạn đã hoàn thành khoá học." in page.locator("main").inner_text()
    certificate = Certificate.objects.get(learner__full_name=NAME)
    assert certificate.status == "valid"

    # The certificate page: download the PDF.
    page.goto(live_server.url + f"/chung-chi/{certificate.code}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải chứng nhận (PDF)").click()
    reader = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = reader.pages[0].extract_text()
    assert NAME in text
    url = re.search(r"Kiểm tra tại: (\S+)", text).group(1)
    expected = qr_matrix(url)
    assert _qr_drawn(reader, len(expected)) == expected  # the QR code encodes that link

    # "Scan" the QR code: open its link without logging in.
    anonymous = page.context.browser.new_context(viewport={"width": 360, "height": 740})
    visitor = anonymous.new_page()
    visitor.goto(url)
    assert "Nguyễn Thị Ánh" in visitor.locator("main").inner_text()
    assert "hợp lệ" in visitor.locator("main").inner_text().lower()
    visitor.screenshot(path=str(screenshot_dir / "certificate-valid-360.png"), full_page=True)

    # Staff revoke it: the same link now says revoked.
    staff = UserFactory(is_superuser=True, is_staff=True)
    certificate_revoke(certificate=certificate, by=staff, reason="Cấp nhầm")
    visitor.goto(url)
    assert "thu hồi" in visitor.locator("main").inner_text().lower()
    visitor.screenshot(path=str(screenshot_dir / "certificate-revoked-360.png"), full_page=True)
    anonymous.close()
