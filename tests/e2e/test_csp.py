"""The Content-Security-Policy in Chromium: every main flow of every role runs under it
with nothing refused and nothing written to the console (docs/security.md)."""

import re

import pytest

from assessments.quizzes.models import Attempt
from community_teams.models import SupportVisit
from courses.models import LessonProgress
from tests.conftest import PHONE_VIEWPORT

from .site import LEARNER_PHONE, MEMBER_PHONE, PASSWORD, log_in, serve_offline, site_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Every page reports refused loads and scripts to the test, whatever it navigates to.
VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.cspViolation(`${e.violatedDirective} refused ${e.blockedURI || "inline"} at ${where}`);
});"""


class Watch:
    """Console messages, CSP violations, uncaught errors and pages without the header."""

    def __init__(self, context):
        self.problems: list[str] = []
        context.expose_binding("cspViolation", lambda source, text: self.problems.append(f"CSP: {text}"))
        context.add_init_script(VIOLATIONS)
        context.on("page", self.attach)
        context.on("response", self.response)

    def attach(self, page):
        page.on("console", lambda m: self.problems.append(f"console {m.type} on {page.url}: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"error on {page.url}: {e}"))

    def response(self, response):
        if response.request.resource_type == "document" and response.url.startswith("http://"):
            if "content-security-policy" not in response.headers:
                self.problems.append(f"no Content-Security-Policy on {response.url}")


def _context(browser, **options):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", **options)
    context.set_default_timeout(20_000)
    serve_offline(context)
    return context


def test_main_flows_run_under_the_policy(live_server, browser):
    site = site_build()
    urls = site["urls"]
    url = live_server.url

    # Anonymous, then the learner logs in through the form.
    context = _context(browser)
    watch = Watch(context)
    page = context.new_page()
    for name in ("home", "catalogue", "course", "certificate"):
        page.goto(url + urls[name])
    assert page.get_by_role("heading", name="Chứng nhận hợp lệ").is_visible()
    page.goto(url + urls["login"])
    page.get_by_label("E-mail hoặc số điện thoại").fill(LEARNER_PHONE)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(url + urls["dashboard"])
    assert "Dùng VNeID an toàn" in page.locator("main").inner_text()

    # A lesson with every content block; mark it done, which leads to the quiz lesson.
    page.goto(url + urls["lesson"])
    assert page.locator("main img").first.evaluate("img => img.complete && img.naturalWidth > 0")
    page.get_by_role("button", name="Đánh dấu đã học xong").click()
    page.wait_for_url(url + urls["quiz_lesson"])
    assert LessonProgress.objects.filter(learner=site["learner"], completed_at__isnull=False).count() == 1

    # The quiz: start, answer (saved in the background by attempt.js), submit.
    page.locator("aside.quiz-slot").get_by_role("link", name="Làm bài").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/danh-gia/bai-lam/*/")
    page.get_by_label("Không bao giờ").check()
    page.get_by_label("Đúng", exact=True).check()
    page.get_by_label("Nhập một số").fill("6")
    page.wait_for_function("() => document.getElementById('quiz-sync').textContent.includes('Đã lưu')")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    assert Attempt.objects.get(learner=site["learner"]).state == Attempt.State.SUBMITTED
    context.close()

    # Civil servant, training manager (Chart.js), province officer (Chart.js).
    for user, name, drawn in (
        (site["servant"], "my_training", None),
        (site["manager"], "compliance", "cmp-trend-chart"),
        (site["officer"], "indicators", "ind-trend-chart"),
    ):
        context = _context(browser)
        watch_one = Watch(context)
        log_in(context, live_server, user)
        page = context.new_page()
        page.goto(url + urls[name])
        if drawn:
            page.wait_for_function(f"() => document.getElementById('{drawn}').width > 0")
        context.close()
        watch.problems += watch_one.problems

    # Team member: the visit app (import map with the nonce, modules, service worker,
    # IndexedDB) signs the device in and sends a visit.
    context = _context(browser, service_workers="allow")
    watch_app = Watch(context)
    page = context.new_page()
    page.goto(url + urls["visit_app"])
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("E-mail hoặc số điện thoại").fill(MEMBER_PHONE)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(url + urls["visit_app"])
    page.get_by_role("button", name="Đăng nhập thiết bị này").click()
    page.get_by_text("Đã cập nhật danh sách: 3 hộ.").wait_for()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_label("Hộ gia đình", exact=True).fill("ngoc anh")
    page.get_by_role("radio", name=re.compile("Hộ bà Lê Thị Ngọc Ánh")).check()
    page.get_by_role("checkbox", name="Nữ · sinh 1990").check()
    payment_box = page.get_by_role("checkbox", name="Mở tài khoản thanh toán", exact=True)
    payment = page.locator(".va-activity", has=payment_box)
    payment.get_by_role("checkbox").check()
    payment.get_by_role("combobox").select_option(label="Nữ · sinh 1990")
    page.get_by_role("button", name="Lưu lượt thăm").click()
    page.get_by_text("Đã gửi 1 lượt thăm.").wait_for()
    assert SupportVisit.objects.filter(household__label="Hộ bà Lê Thị Ngọc Ánh").count() == 1
    page.reload()  # now served through the service worker
    page.wait_for_function("() => document.body.dataset.appReady === '1'")
    context.close()
    watch.problems += watch_app.problems

    assert watch.problems == [], "\n".join(watch.problems)


def test_a_refused_inline_handler_is_reported(live_server, browser):
    """The watch above can fail: an inline handler injected into one of our pages is
    refused (it does not run) and reported."""
    context = _context(browser)
    watch = Watch(context)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        """() => {
          document.addEventListener("securitypolicyviolation", () => { window.refused = true; });
          const box = document.createElement("div");
          box.innerHTML = '<img alt="" src="data:," onerror="window.ran = true">';
          document.body.append(box);
        }"""
    )
    page.wait_for_function("() => window.refused === true")
    assert page.evaluate("window.ran") is None
    context.close()
    assert any(p.startswith("CSP: script-src") for p in watch.problems), watch.problems


def test_wagtail_admin_runs_under_its_relaxed_policy(live_server, browser):
    """Wagtail's admin (/admin/) gets CSP_RELAXED_POLICY: inline scripts and styles are
    allowed there, everything else is as strict as on our pages. An administrator signs
    in through our login form, then opens the dashboard, the page explorer and a page
    editor (StreamField, rich text, the side panels): nothing refused, nothing in the
    console, no uncaught error, the header on every document."""
    from tests.content.builders import home_build
    from tests.courses.builders import course_build, index_build
    from tests.factories import UserFactory

    home = home_build()
    index = index_build(home)
    course = course_build(index=index, lessons_per_module=1)
    admin = UserFactory(
        username="quan-tri", email="quantri@example.test", is_staff=True, is_superuser=True
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(30_000)
    serve_offline(context)
    watch = Watch(context)
    page = context.new_page()
    url = live_server.url
    page.goto(url + "/admin/")  # Wagtail's login sends people to ours
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("E-mail hoặc số điện thoại").fill(admin.email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(url + "/admin/")
    page.wait_for_load_state("networkidle")
    assert page.locator("body.wagtail-dashboard, main").first.is_visible()

    page.goto(f"{url}/admin/pages/{index.pk}/")  # the explorer: the catalogue's courses
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(course.title).first.is_visible()

    page.goto(f"{url}/admin/pages/{course.pk}/edit/")  # the editor
    page.wait_for_load_state("networkidle")
    assert page.locator("form#page-edit-form").is_visible()
    page.locator("#id_title").fill(course.title + " (sửa)")  # the editor's scripts react
    # The live preview: the admin frames its own preview (frame-ancestors 'self').
    page.locator('[data-side-panel-toggle="preview"]').click()
    preview = page.frame_locator("iframe#w-preview-iframe")
    preview.get_by_role("heading", name=course.title + " (sửa)").wait_for()
    context.close()
    assert watch.problems == [], "\n".join(watch.problems)
