"""axe-core (tests/e2e/vendor/axe-core, 4.14.1) on each role's main pages in Chromium, at
360 px (a cheap phone) and 1280 px (a desktop): no serious or critical violation.
Every violation found is printed with its rule, target and help address.
docs/security.md ("Accessibility") lists the pages, the widths and what was fixed."""

import re
from pathlib import Path

import pytest

from assessments.quizzes.services import attempt_start

from .site import log_in, serve_offline, site_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = (360, 1280)
BLOCKING = {"serious", "critical"}

# axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
# does not govern: the pages are checked under their real policy.
RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, count: v.nodes.length,
    targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
  }));
}"""


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE)
    return page.evaluate(RUN)


def _report(found: list[tuple[str, int, dict]]) -> str:
    return "\n".join(
        f"{where} @ {width}px: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})\n    "
        + "\n    ".join(v["targets"])
        for where, width, v in found
    )


def _summary(others: list[tuple[str, int, dict]]) -> str:
    """Moderate and minor findings (not asserted), by rule: how many page checks show
    it and how many elements in all; docs/security.md copies these counts."""
    rules: dict[tuple[str, str], list] = {}
    for where, _width, v in others:
        entry = rules.setdefault((v["impact"], v["id"]), [0, 0, set()])
        entry[0] += 1
        entry[1] += v["count"]
        entry[2].add(where)
    lines = [
        f"{impact:9} {rule:32} {checks:3} checks {nodes:4} elements  {', '.join(sorted(pages))}"
        for (impact, rule), (checks, nodes, pages) in sorted(rules.items())
    ]
    return "\n".join(["axe moderate/minor findings (impact, rule, page checks, elements, pages):", *lines])


def test_main_pages_of_every_role_have_no_serious_violation(live_server, browser):
    site = site_build()
    urls = site["urls"]
    attempt = attempt_start(quiz=site["quiz"], learner=site["learner"])
    urls["quiz"] = f"/danh-gia/bai-lam/{attempt.pk}/"
    roles = [
        (None, ["home", "catalogue", "course", "certificate", "login"]),
        (site["learner"], ["dashboard", "lesson", "quiz_lesson", "quiz"]),
        (site["servant"], ["my_training"]),
        (site["manager"], ["compliance"]),
        (site["officer"], ["indicators"]),
        (site["member"], ["visit_form", "visit_app"]),
    ]
    found: list[tuple[str, int, dict]] = []
    others: list[tuple[str, int, dict]] = []
    checked = 0
    for width in WIDTHS:
        for user, names in roles:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
            context.set_default_timeout(20_000)
            serve_offline(context)
            if user:
                log_in(context, live_server, user)
            page = context.new_page()
            for name in names:
                page.goto(live_server.url + urls[name])
                if name == "visit_app":
                    # The form itself: sign this device in so the register downloads.
                    page.get_by_role("button", name="Đăng nhập thiết bị này").click()
                    page.get_by_text("Đã cập nhật danh sách: 3 hộ.").wait_for()
                    page.get_by_label("Hộ gia đình", exact=True).fill("hung")
                    page.get_by_role("radio", name=re.compile("Đặng Văn Hùng")).check()
                for violation in axe_violations(page):
                    if violation["impact"] in BLOCKING:
                        found.append((name, width, violation))
                    else:
                        others.append((name, width, violation))
                checked += 1
            context.close()
    print(_summary(others))  # shown with -s, or with the failure report
    assert checked == 2 * 14
    assert found == [], "\n" + _report(found)


def test_axe_finds_a_serious_violation_when_there_is_one(live_server, browser):
    """The check above can fail: an image without a text alternative and an unlabeled
    button added to a page are reported as serious/critical, text outside the landmarks
    and a skipped heading level as moderate."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.append(Object.assign(document.createElement("img"), { src: "data:," }));
          main.append(document.createElement("button"));
          // Moderate: text outside every landmark, and a heading level skipped.
          document.body.append(Object.assign(document.createElement("p"), { textContent: "Ngoài vùng" }));
          main.append(Object.assign(document.createElement("h6"), { textContent: "Tiêu đề nhảy cấp" }));
        }"""
    )
    violations = axe_violations(page)
    ids = {v["id"] for v in violations if v["impact"] in BLOCKING}
    moderate = {v["id"] for v in violations if v["impact"] == "moderate"}
    context.close()
    assert {"image-alt", "button-name"} <= ids
    assert {"region", "heading-order"} <= moderate  # the zero counted above is a real zero
