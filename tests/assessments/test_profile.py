"""The self-assessment pages, the profile page (charts, tables, explanations, gaps,
recommendations) and the API, with 4xx JSON for bad input."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import recommendations, scoring
from assessments.loading import frameworks_load
from assessments.models import Competence, Item, TargetLevel, TargetProfile
from assessments.selfassessment_loading import DEFAULT_FILE, selfassessment_load
from assessments.services import evidence_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    frameworks_load()
    selfassessment_load()


@pytest.fixture
def person(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _step_post(client, step, value="2", knowledge="a", action="next"):
    items = Item.objects.filter(step=step).prefetch_related("options")
    data = {"action": action}
    for item in items:
        if item.kind == "knowledge":
            data[f"item-{item.code}"] = next(o.code for o in item.options.all() if o.is_correct)
        else:
            data[f"item-{item.code}"] = value
    return client.post(f"/danh-gia/tu-danh-gia/buoc/{step}/", data)


def test_pages_need_a_login(client, loaded):
    assert client.get("/danh-gia/tu-danh-gia/").status_code == 302
    assert client.get("/danh-gia/ho-so/").status_code == 302


def test_take_the_self_assessment_step_by_step_and_resume(client, loaded, person):
    assert "Bắt đầu tự đánh giá" in client.get("/danh-gia/tu-danh-gia/").content.decode()
    response = client.post("/danh-gia/tu-danh-gia/")
    assert response.url == "/danh-gia/tu-danh-gia/buoc/1/"
    page = client.get(response.url).content.decode()
    assert "Bước 1/6" in page and "Tôi chưa làm được" in page and "Kiểm tra hiểu biết" in page
    # Half a step, then "next": saved, refused with a message, clicked answers kept.
    response = client.post("/danh-gia/tu-danh-gia/buoc/1/", {"item-1.1a": "3", "action": "next"})
    assert response.status_code == 400 and "còn 6 câu" in response.content.decode()
    assert 'value="3" checked' in response.content.decode()
    assert _step_post(client, "1").url == "/danh-gia/tu-danh-gia/buoc/2/"
    # Leave; come back: resume at step 2 with step 1's answers kept.
    assert "Làm tiếp" in client.get("/danh-gia/tu-danh-gia/").content.decode()
    assert client.post("/danh-gia/tu-danh-gia/").url == "/danh-gia/tu-danh-gia/buoc/2/"
    for step in "2345":
        _step_post(client, step)
    response = _step_post(client, "6")
    assert response.status_code == 302 and "/ket-qua/" in response.url
    result = client.get(response.url).content.decode()
    assert "Kỹ năng số tổng thể:" in result and "Cơ bản" in result and "5/5" in result


def test_bad_option_is_a_400_with_a_message(client, loaded, person):
    client.post("/danh-gia/tu-danh-gia/")
    response = client.post("/danh-gia/tu-danh-gia/buoc/1/", {"item-1.1a": "9", "action": "next"})
    assert response.status_code == 400 and "không hợp lệ" in response.content.decode()
    assert client.get("/danh-gia/tu-danh-gia/buoc/99/").status_code == 404


def test_profile_page_has_charts_tables_and_explanations(
    client, loaded, person, django_assert_max_num_queries
):
    evidence_record(
        person=person,
        competence_code="digcomp-2.2:4.2",
        level=5,
        method="quiz",
        source_label="Bài kiểm tra An toàn",
    )
    evidence_record(person=person, competence_code="digcomp-2.2:4.2", level=3, method="self_assessed")
    with django_assert_max_num_queries(8):
        html = client.get("/danh-gia/ho-so/").content.decode()
    assert html.count('<svg class="pf-chart"') == 6  # five DigComp areas and the AI area beside
    assert html.count('<table class="pf-table"') == 6
    assert html.count('class="pf-why"') == 24
    assert 'href="#vi-sao-digcomp-22-42"' in html and 'id="vi-sao-digcomp-22-42"' in html
    assert "Bài kiểm tra An toàn" in html and "Bậc cao nhất trong các minh chứng" in html
    assert "Chưa có minh chứng nào" in html
    assert "Báo cáo riêng: trí tuệ nhân tạo" in html


def test_profile_gaps_and_recommendations(client, loaded, person):
    framework = Competence.objects.get(framework__code="digcomp-2.2", code="4.2").framework
    target = TargetProfile.objects.create(framework=framework, code="vi-tri", name="Vị trí thử", year=2025)
    TargetLevel.objects.create(
        target=target, level=4, competence=Competence.objects.get(framework=framework, code="4.2")
    )
    seen = []

    def provider(*, person, gaps):
        seen.append([g.competence_code for g in gaps])
        return [{"title": "Khóa An toàn trên mạng", "url": "/hoc-tap/an-toan/", "reason": "năng lực 4.2"}]

    def broken(*, person, gaps):
        raise RuntimeError("boom")

    recommendations.register_provider(broken)
    recommendations.register_provider(provider)
    try:
        html = client.get("/danh-gia/ho-so/?muc-tieu=vi-tri").content.decode()
    finally:
        recommendations.unregister_provider(provider)
        recommendations.unregister_provider(broken)
    assert seen == [["digcomp-2.2:4.2"]]
    assert "cần bậc 4, hiện có bậc 0" in html and "Khóa An toàn trên mạng" in html and "thiếu 4 bậc" in html
    assert client.get("/danh-gia/ho-so/?muc-tieu=khong-co").status_code == 400


def test_api_self_assessment_flow_and_profile(client, loaded, person):
    body = client.get("/api/v1/self-assessment").json()
    assert len(body["items"]) == 40 and body["run_id"] is None
    assert all("correct" not in str(option) for item in body["items"] for option in item["options"])
    response = client.post(
        "/api/v1/self-assessment/steps/1", {"answers": {"1.1a": "2"}}, content_type="application/json"
    )
    assert response.status_code == 200 and len(response.json()["missing"]) == 6
    assert client.get("/api/v1/self-assessment").json()["answers"] == {"1.1a": "2"}
    bad = client.post(
        "/api/v1/self-assessment/steps/1", {"answers": {"1.1a": "x"}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "không hợp lệ" in bad.json()["detail"]
    assert (
        client.post("/api/v1/self-assessment/steps/1", "[1,", content_type="application/json").status_code
        == 400
    )
    assert client.post("/api/v1/self-assessment/complete").status_code == 400
    evidence_record(person=person, competence_code="digcomp-2.2:1.1", level=2, method="quiz")
    profile = client.get("/api/v1/profile").json()
    row = next(r for r in profile["competences"] if r["competence"] == "digcomp-2.2:1.1")
    assert row["level"] == 2 and row["rule"] == "verified" and row["decisive"][0]["method"] == "quiz"
    assert client.get("/api/v1/profile?target=nope").status_code == 404


def test_api_needs_a_login(client, loaded):
    assert client.get("/api/v1/profile").status_code == 401


# --- Property tests on the scoring rules ---------------------------------------------------

import json  # noqa: E402

RULES = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))["scoring"]
SPEC = [
    (i["code"], i["competence"], i["competence"].rsplit(".", 1)[0], i["kind"])
    for i in json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))["items"]
]


def _score(values: list[int]) -> dict:
    items = []
    for (code, competence, area, kind), value in zip(SPEC, values, strict=True):
        points = scoring.item_points(kind=kind, value=value, correct=bool(value >= 2), rules=RULES)
        items.append(scoring.ScoredItem(code=code, competence=competence, area=area, points=points))
    return scoring.score_items(rules=RULES, items=items)


def _ranks(result: dict) -> list[int]:
    out = [scoring.OVERALL_ORDER.index(result["overall"])]
    for data in result["competences"].values():
        out += [data["score"], scoring.BAND_ORDER.index(data["band"]), data["level"]]
    for data in result["areas"].values():
        out += [data["score"], scoring.AREA_SKILL_ORDER.index(data["skill"])]
    return out


answers = st.lists(st.integers(min_value=0, max_value=3), min_size=len(SPEC), max_size=len(SPEC))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=answers, index=st.integers(min_value=0, max_value=len(SPEC) - 1))
def test_raising_any_answer_never_lowers_any_score_band_or_class(values, index):
    before = _score(values)
    raised = list(values)
    raised[index] = 3
    after = _score(raised)
    assert all(a >= b for a, b in zip(_ranks(after), _ranks(before), strict=True))


@settings(max_examples=100, deadline=None)
@given(values=answers)
def test_scores_stay_between_0_and_100_and_classes_are_known(values):
    result = _score(values)
    assert all(0 <= c["score"] <= 100 for c in result["competences"].values())
    assert result["overall"] in scoring.OVERALL_ORDER
    at_least = result["areas_at_least_basic"]
    expected = {5: "basic", 4: "low", 3: "narrow", 2: "limited", 1: "limited", 0: "none"}[at_least]
    assert result["overall"] == (
        "above_basic"
        if all(result["areas"][a]["skill"] == "above_basic" for a in result["overall_areas"])
        else expected
    )


@pytest.mark.parametrize(
    "skills, expected",
    [
        (["above_basic"] * 5, "above_basic"),
        (["above_basic"] * 4 + ["basic"], "basic"),
        (["basic"] * 4 + ["none"], "low"),
        (["basic"] * 3 + ["none"] * 2, "narrow"),
        (["above_basic"] * 2 + ["none"] * 3, "limited"),
        (["basic"] + ["none"] * 4, "limited"),
        (["none"] * 5, "none"),
    ],
)
def test_overall_classification_boundaries(skills, expected):
    score_of = {"none": 0, "basic": 50, "above_basic": 75}  # exactly on the thresholds
    items = [
        scoring.ScoredItem(code=str(n), competence=f"x:{n}.1", area=f"x:{n}", points=score_of[s])
        for n, s in enumerate(skills, start=1)
    ]
    rules = RULES | {"overall_areas": [f"x:{n}" for n in range(1, 6)]}
    assert scoring.score_items(rules=rules, items=items)["overall"] == expected


def test_area_threshold_boundaries():
    table = RULES["area_skill_levels"]
    assert [scoring.threshold(table, s)["code"] for s in (49.9, 50, 74.9, 75)] == [
        "none",
        "basic",
        "basic",
        "above_basic",
    ]
