"""Self-assessment: loading the instrument, hand-computed scores, resuming, the pages."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from assessments import scoring
from assessments.loading import LoadError, frameworks_load
from assessments.models import Evidence, Instrument, Item
from assessments.selectors import instrument_current, selfassessment_progress
from assessments.selfassessment_loading import DEFAULT_FILE, selfassessment_load
from assessments.services import selfassessment_answers_save, selfassessment_complete, selfassessment_start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instrument():
    frameworks_load()
    selfassessment_load()
    return instrument_current()


def answer_all(run, *, value="2", knowledge_right=True, overrides=None):
    """Answer every item: the scale value `value`; knowledge checks right or wrong."""
    overrides = overrides or {}
    for step in run.instrument.steps:
        answers = {}
        for item in Item.objects.filter(instrument=run.instrument, step=step["code"]).prefetch_related(
            "options"
        ):
            if item.code in overrides:
                answers[item.code] = overrides[item.code]
            elif item.kind == "knowledge":
                answers[item.code] = next(
                    o.code for o in item.options.all() if o.is_correct == knowledge_right
                )
            else:
                answers[item.code] = value
        assert selfassessment_answers_save(run=run, step=step["code"], answers=answers) == []


def test_instrument_covers_all_21_digcomp_competences_and_the_ai_area(instrument):
    codes = set(
        Item.objects.filter(instrument=instrument).values_list(
            "competence__code", "competence__framework__code"
        )
    )
    digcomp = {c for c, fw in codes if fw == "digcomp-2.2"}
    assert len(digcomp) == 21
    assert {c for c, fw in codes if fw == "tt02-2025"} == {"6.1", "6.2", "6.3"}
    items = Item.objects.filter(instrument=instrument)
    assert 28 <= items.filter(kind="self", competence__framework__code="digcomp-2.2").count() <= 34
    assert 4 <= items.filter(kind="knowledge", competence__framework__code="digcomp-2.2").count() <= 6
    for item in items.filter(kind="knowledge").prefetch_related("options"):
        assert sum(o.is_correct for o in item.options.all()) == 1
    scale = [o.text_vi for o in items.filter(kind="self").first().options.order_by("ordering")]
    assert scale == [
        "Tôi chưa làm được",
        "Làm được khi có người giúp",
        "Tự làm được",
        "Làm thành thạo và có thể giúp người khác",
    ]


def test_loading_twice_changes_nothing_and_the_command_says_so(instrument, capsys):
    report = selfassessment_load()
    assert not report.changed_anything
    call_command("load_selfassessment")
    assert "Không có gì thay đổi" in capsys.readouterr().out
    assert Instrument.objects.count() == 1


def test_an_item_naming_an_unknown_competence_loads_nothing(tmp_path):
    frameworks_load()
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    data["items"][3]["competence"] = "digcomp-2.2:9.9"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LoadError, match="9.9"):
        selfassessment_load(path=path)
    assert not Instrument.objects.exists() and not Item.objects.exists()


def test_hand_computed_scores_for_all_on_my_own_and_knowledge_right(instrument):
    run = selfassessment_start(person=UserFactory(), instrument=instrument)
    answer_all(run, value="2")
    run = selfassessment_complete(run=run)
    r = run.result
    # 1.1: two self items at 66.67 → 66.7, Intermediate, level 3
    assert r["competences"]["digcomp-2.2:1.1"] == {
        "score": 66.7,
        "band": "intermediate",
        "level": 3,
        "answered": 2,
        "area": "digcomp-2.2:1",
    }
    # 1.2: 66.67, 66.67 and the knowledge check 100 → 77.8, level 4
    assert r["competences"]["digcomp-2.2:1.2"]["score"] == 77.8
    assert r["competences"]["digcomp-2.2:1.2"]["level"] == 4
    # area 1 = mean(66.7, 77.8, 66.7) = 70.4 → basic (50 ≤ 70.4 < 75)
    assert r["areas"]["digcomp-2.2:1"] == {"score": 70.4, "skill": "basic"}
    assert r["overall"] == "basic" and r["areas_at_least_basic"] == 5
    assert r["areas"]["tt02-2025:6"]["score"] is not None  # the AI area, reported beside
    assert "tt02-2025:6" not in r["overall_areas"]


def test_hand_computed_scores_with_help_and_knowledge_wrong(instrument):
    run = selfassessment_start(person=UserFactory(), instrument=instrument)
    answer_all(run, value="1", knowledge_right=False)
    r = selfassessment_complete(run=run).result
    # 1.2: 33.33, 33.33, 0 → 22.2, Foundation, level 1
    assert r["competences"]["digcomp-2.2:1.2"] == {
        "score": 22.2,
        "band": "foundation",
        "level": 1,
        "answered": 3,
        "area": "digcomp-2.2:1",
    }
    assert r["competences"]["digcomp-2.2:1.1"]["level"] == 1  # 33.3
    assert r["areas"]["digcomp-2.2:4"]["skill"] == "none"
    assert r["overall"] == "none" and r["areas_at_least_basic"] == 0


def test_completion_writes_one_self_assessed_evidence_per_competence(instrument):
    person = UserFactory()
    run = selfassessment_start(person=person, instrument=instrument)
    answer_all(run, value="3")
    selfassessment_complete(run=run)
    evidence = Evidence.objects.filter(person=person)
    assert evidence.count() == 24  # 21 DigComp + 3 TT02 AI competences
    assert set(evidence.values_list("method", flat=True)) == {"self_assessed"}
    e = evidence.get(competence__code="1.1", competence__framework__code="digcomp-2.2")
    assert (e.level, e.source_type, e.source_id) == (5, "assessments.selfassessment", str(run.pk))
    assert "Điểm 100.0/100" in e.note
    selfassessment_complete(run=run)  # again: nothing new
    assert Evidence.objects.filter(person=person).count() == 24


def test_partly_answered_run_resumes_where_it_stopped(instrument):
    person = UserFactory()
    run = selfassessment_start(person=person, instrument=instrument)
    selfassessment_answers_save(run=run, step="1", answers={"1.1a": "2", "1.1b": "3"})
    again = selfassessment_start(person=person, instrument=instrument)
    assert again.pk == run.pk
    progress = selfassessment_progress(run=again)
    assert progress["next_step"] == "1" and progress["answered"] == 2 and progress["items"] == 40
    missing = selfassessment_answers_save(
        run=run, step="1", answers={c: "1" for c in ("1.2a", "1.2b", "1.3a", "1.3b")} | {"k1": "a"}
    )
    assert missing == []
    assert selfassessment_progress(run=run)["next_step"] == "2"
    with pytest.raises(ValidationError, match="còn 33 câu"):
        selfassessment_complete(run=run)


def test_bad_answers_save_nothing(instrument):
    run = selfassessment_start(person=UserFactory(), instrument=instrument)
    with pytest.raises(ValidationError):
        selfassessment_answers_save(run=run, step="1", answers={"1.1a": "2", "1.1b": "7"})
    with pytest.raises(ValidationError):
        selfassessment_answers_save(run=run, step="1", answers={"2.1a": "2"})
    with pytest.raises(ValidationError):
        selfassessment_answers_save(run=run, step="99", answers={})
    assert selfassessment_progress(run=run)["answered"] == 0


def test_threshold_picks_the_last_row_at_or_below():
    table = [{"min": 0, "code": "a"}, {"min": 50, "code": "b"}, {"min": 75, "code": "c"}]
    assert [scoring.threshold(table, s)["code"] for s in (0, 49.9, 50, 74.9, 75, 100)] == list("aabbcc")
