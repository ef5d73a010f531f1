"""The shipped frameworks: DigComp 2.2 equals the published table, TT02, levels, crosswalk,
idempotency and the load report."""

import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.demo import demo_frameworks_load
from assessments.loading import DATA_DIR, LoadError, frameworks_load
from assessments.models import Competence, CompetenceMapping, Framework, FrameworkArea, ProficiencyLevel

pytestmark = pytest.mark.django_db

# DigComp 2.2 (Vuorikari, Kluzer & Punie, JRC 2022), written from the publication, not from our CSV.
DIGCOMP_22_AREAS = {
    "1": "Information and data literacy",
    "2": "Communication and collaboration",
    "3": "Digital content creation",
    "4": "Safety",
    "5": "Problem solving",
}
DIGCOMP_22_COMPETENCES = {
    "1.1": "Browsing, searching and filtering data, information and digital content",
    "1.2": "Evaluating data, information and digital content",
    "1.3": "Managing data, information and digital content",
    "2.1": "Interacting through digital technologies",
    "2.2": "Sharing through digital technologies",
    "2.3": "Engaging in citizenship through digital technologies",
    "2.4": "Collaborating through digital technologies",
    "2.5": "Netiquette",
    "2.6": "Managing digital identity",
    "3.1": "Developing digital content",
    "3.2": "Integrating and re-elaborating digital content",
    "3.3": "Copyright and licences",
    "3.4": "Programming",
    "4.1": "Protecting devices",
    "4.2": "Protecting personal data and privacy",
    "4.3": "Protecting health and well-being",
    "4.4": "Protecting the environment",
    "5.1": "Solving technical problems",
    "5.2": "Identifying needs and technological responses",
    "5.3": "Creatively using digital technologies",
    "5.4": "Identifying digital competence gaps",
}
DIGCOMP_BANDS = ["Foundation"] * 2 + ["Intermediate"] * 2 + ["Advanced"] * 2 + ["Highly specialised"] * 2


def test_digcomp_22_equals_the_published_table():
    frameworks_load()
    fw = Framework.objects.get(code="digcomp-2.2")
    areas = {a.code: a.title_en for a in fw.areas.all()}
    assert areas == DIGCOMP_22_AREAS
    competences = {c.code: c.title_en for c in fw.competences.all()}
    assert competences == DIGCOMP_22_COMPETENCES
    # Each competence sits in the area its code starts with, in published order.
    for c in fw.competences.select_related("area"):
        assert c.area.code == c.code.split(".")[0]
    assert [c.code for c in Competence.objects.filter(framework=fw)] == list(DIGCOMP_22_COMPETENCES)
    levels = list(fw.levels.order_by("ordinal"))
    assert [lv.ordinal for lv in levels] == list(range(1, 9))
    assert [lv.band_en for lv in levels] == DIGCOMP_BANDS
    assert [lv.code for lv in levels] == [str(n) for n in range(1, 9)]
    assert Competence.objects.get(framework=fw, code="4.2").qualified_code == "digcomp-2.2:4.2"


def test_tt02_has_six_areas_24_competences_and_its_level_codes():
    frameworks_load()
    fw = Framework.objects.get(code="tt02-2025")
    assert fw.areas.count() == 6 and fw.competences.count() == 24
    assert fw.areas.get(code="6").title_vi == "Ứng dụng trí tuệ nhân tạo"
    assert list(fw.competences.filter(area__code="6").values_list("code", flat=True)) == ["6.1", "6.2", "6.3"]
    assert list(fw.levels.values_list("code", flat=True)) == [
        "CB1", "CB2", "TC1", "TC2", "NC1", "NC2", "CS1", "CS2"]
    assert fw.levels.get(ordinal=7).band_vi == "Chuyên sâu"


def test_crosswalk_matches_tt02_to_digcomp_except_ai():
    frameworks_load()
    links = CompetenceMapping.objects.select_related("source__framework", "target__framework")
    pairs = {(m.source.qualified_code, m.relation, m.target.qualified_code) for m in links}
    assert len(pairs) == 21
    assert ("tt02-2025:1.1", "exactMatchOf", "digcomp-2.2:1.1") in pairs
    assert ("tt02-2025:5.4", "exactMatchOf", "digcomp-2.2:5.4") in pairs
    ai = CompetenceMapping.objects.filter(source__area__code="6", source__framework__code="tt02-2025")
    assert not ai.exists()
    # Every pair joins competences with the same Vietnamese title: established by comparing titles.
    assert all(m.source.title_vi == m.target.title_vi for m in links)


def test_loading_twice_changes_nothing_and_says_so():
    first = frameworks_load()
    assert first.created["năng lực"] == 45 and first.created["miền năng lực"] == 11
    assert first.created["trình độ"] == 16 and first.created["đối chiếu năng lực"] == 21
    second = frameworks_load()
    assert not second.changed_anything
    assert second.unchanged["năng lực"] == 45 and second.unchanged["khung năng lực"] == 2
    out = StringIO()
    call_command("load_frameworks", stdout=out)
    assert "năng lực: tạo mới 0, thay đổi 0, giữ nguyên 45" in out.getvalue()
    assert "Không có gì thay đổi" in out.getvalue()


def test_edited_file_is_reported_as_changed_and_bad_rows_are_listed(tmp_path):
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    frameworks_load(data_dir=tmp_path)
    levels = tmp_path / "proficiency_levels.csv"
    levels.write_text(levels.read_text(encoding="utf-8").replace(",CS1,", ",CS-1,"), encoding="utf-8")
    comps = tmp_path / "digital_competence_frameworks.csv"
    comps.write_text(
        comps.read_text(encoding="utf-8")
        + "tt02-2025,9.1,9,competence,Orphan,Mồ côi\nnope,1,,area,X,Y\ntt02-2025,7,,chapter,X,Y\n",
        encoding="utf-8",
    )
    report = frameworks_load(data_dir=tmp_path)
    assert report.changed["trình độ"] == 1
    assert ProficiencyLevel.objects.get(framework__code="tt02-2025", ordinal=7).code == "CS-1"
    assert len(report.unmatched) == 3
    assert any("9.1" in line for line in report.unmatched)
    assert any("nope" in line for line in report.unmatched)
    assert any("chapter" in line for line in report.unmatched)
    assert not FrameworkArea.objects.filter(code="9").exists()


def test_missing_column_is_a_clear_error(tmp_path):
    for path in DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "proficiency_levels.csv").write_text("framework,ordinal\n", encoding="utf-8")
    with pytest.raises(LoadError, match="thiếu cột"):
        frameworks_load(data_dir=tmp_path)
    assert not Framework.objects.exists()  # all or nothing


def test_demo_uses_the_same_loader():
    demo_frameworks_load()
    report = demo_frameworks_load()
    assert not report.changed_anything
    assert Framework.objects.count() == 2 and Competence.objects.count() == 45
