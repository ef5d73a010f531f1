"""IMS CASE 1.0: export is deterministic, export → import gives the identical framework,
packages from other tools come in, malformed packages import nothing and say why."""

import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.case import case_uuid, framework_case_export, framework_case_import
from assessments.loading import frameworks_load
from assessments.models import (
    Competence,
    CompetenceMapping,
    Framework,
    FrameworkArea,
    Indicator,
    ProficiencyLevel,
)

pytestmark = pytest.mark.django_db


def snapshot(code: str) -> dict:
    """Everything that makes a framework what it is, without database ids."""
    fw = Framework.objects.get(code=code)
    return {
        "framework": {f: getattr(fw, f) for f in (
            "version", "title_vi", "title_en", "description_vi", "description_en", "publisher", "source",
            "language", "status")},
        "areas": [(a.code, a.title_vi, a.title_en, a.ordering) for a in fw.areas.order_by("ordering")],
        "competences": [
            (c.code, c.area.code, c.title_vi, c.title_en, c.description_vi, c.ordering)
            for c in fw.competences.select_related("area").order_by("area__ordering", "ordering")
        ],
        "indicators": sorted(
            (i.competence.code, i.code, i.title_vi, i.title_en, i.level.ordinal if i.level else None)
            for i in Indicator.objects.filter(competence__framework=fw).select_related("competence", "level")
        ),
        "levels": [
            (lv.ordinal, lv.code, lv.band_vi, lv.band_en, lv.descriptor_vi, lv.descriptor_en)
            for lv in fw.levels.order_by("ordinal")
        ],
        "mappings": sorted(
            (m.source.code, m.relation, m.target.qualified_code)
            for m in CompetenceMapping.objects.filter(source__framework=fw).select_related("source", "target")
        ),
    }


@pytest.fixture
def loaded():
    frameworks_load()
    digcomp = Framework.objects.get(code="digcomp-2.2")
    comp = Competence.objects.get(framework=digcomp, code="4.2")
    comp.description_vi = "Bảo vệ dữ liệu cá nhân khi dùng dịch vụ số."
    comp.save()
    level = ProficiencyLevel.objects.get(framework=digcomp, ordinal=2)
    Indicator.objects.create(competence=comp, code="4.2.1", title_vi="Đặt mật khẩu mạnh",
                             title_en="Set a strong password", ordering=1, level=level)
    return digcomp


def test_export_shape_and_determinism(loaded):
    package = framework_case_export(framework=loaded)
    again = framework_case_export(framework=Framework.objects.get(pk=loaded.pk))
    assert json.dumps(package, sort_keys=True) == json.dumps(again, sort_keys=True)
    doc = package["CFDocument"]
    assert doc["identifier"] == case_uuid("digcomp-2.2") and doc["language"] == "vi"
    kinds = [i["CFItemType"] for i in package["CFItems"]]
    assert kinds.count("Area") == 5 and kinds.count("Competence") == 21
    assert kinds.count("Indicator") == 1 and kinds.count("Proficiency Level") == 8
    comp = next(i for i in package["CFItems"] if i["humanCodingScheme"] == "4.2")
    assert comp["identifier"] == case_uuid("digcomp-2.2:4.2")
    assert comp["fullStatement"] == "Bảo vệ dữ liệu cá nhân và quyền riêng tư"
    types = {a["associationType"] for a in package["CFAssociations"]}
    assert types == {"isChildOf", "hasSkillLevel"}
    assocs = package["CFAssociations"]
    from_comp = [a for a in assocs if a["originNodeURI"]["identifier"] == comp["identifier"]]
    child_of = [a for a in from_comp if a["associationType"] == "isChildOf"]
    assert child_of[0]["destinationNodeURI"]["identifier"] == case_uuid("digcomp-2.2:area:4")
    skill = [a for a in from_comp if a["associationType"] == "hasSkillLevel"]
    assert len(skill) == 8
    english = framework_case_export(framework=loaded, language="en")
    comp_en = next(i for i in english["CFItems"] if i["humanCodingScheme"] == "4.2")
    assert comp_en["fullStatement"] == "Protecting personal data and privacy" and comp_en["language"] == "en"
    assert comp_en["identifier"] == comp["identifier"]


def test_tt02_export_carries_the_crosswalk():
    frameworks_load()
    package = framework_case_export(framework=Framework.objects.get(code="tt02-2025"))
    matches = [a for a in package["CFAssociations"] if a["associationType"] == "exactMatchOf"]
    assert len(matches) == 21
    first = next(a for a in matches if a["originNodeURI"]["identifier"] == case_uuid("tt02-2025:1.1"))
    assert first["destinationNodeURI"]["identifier"] == case_uuid("digcomp-2.2:1.1")


def test_export_then_import_into_an_empty_database_gives_the_identical_framework(loaded):
    before = snapshot("digcomp-2.2")
    package = json.loads(json.dumps(framework_case_export(framework=loaded)))
    Framework.objects.all().delete()
    assert not Competence.objects.exists()
    report = framework_case_import(package=package)
    assert report.ok, report.rejected
    assert report.framework_code == "digcomp-2.2"
    assert snapshot("digcomp-2.2") == before
    # … and exports the same package again, byte for byte (timestamps aside).
    again = framework_case_export(framework=Framework.objects.get(code="digcomp-2.2"))
    strip = lambda p: json.dumps(p, sort_keys=True).replace("lastChangeDateTime", "")  # noqa: E731
    assert [i["identifier"] for i in again["CFItems"]] == [i["identifier"] for i in package["CFItems"]]
    assert {k: v for k, v in again["CFDocument"].items() if k != "lastChangeDateTime"} == {
        k: v for k, v in package["CFDocument"].items() if k != "lastChangeDateTime"}
    assert len(strip(again)) == len(strip(package))


def test_import_under_a_new_code_copies_the_framework_and_its_crosswalk():
    frameworks_load()
    package = framework_case_export(framework=Framework.objects.get(code="tt02-2025"))
    report = framework_case_import(package=package, code="tt02-copy")
    assert report.ok, report.rejected
    original, copied = snapshot("tt02-2025"), snapshot("tt02-copy")
    assert copied == original  # same codes, titles, hierarchy, levels, crosswalk targets
    # The copy's identifiers derive from its own code, so both export side by side.
    copy_doc = framework_case_export(framework=Framework.objects.get(code="tt02-copy"))["CFDocument"]
    assert copy_doc["identifier"] == case_uuid("tt02-copy")


def test_reimporting_the_same_package_changes_nothing(loaded):
    package = framework_case_export(framework=loaded)
    report = framework_case_import(package=package)
    assert report.ok and not report.changed_anything
    assert report.unchanged["năng lực"] == 21 and report.unchanged["chỉ báo"] == 1


def test_dry_run_counts_and_writes_nothing(loaded):
    package = framework_case_export(framework=loaded)
    report = framework_case_import(package=package, code="dry-copy", dry_run=True)
    assert report.ok and report.created["năng lực"] == 21
    assert not Framework.objects.filter(code="dry-copy").exists()


def test_a_package_whose_identifiers_belong_to_another_framework_needs_a_new_code(loaded):
    package = framework_case_export(framework=loaded)
    package["CFDocument"]["extensions"]["vn.kynangso"]["code"] = "other"
    report = framework_case_import(package=package)
    assert not report.ok and "digcomp-2.2" in report.rejected[0].reason
    assert not Framework.objects.filter(code="other").exists()


FOREIGN = {
    "CFDocument": {
        "identifier": "c0ffee00-0000-4000-8000-000000000001", "uri": "https://example.test/doc",
        "title": "Sample Digital Skills", "version": "3", "language": "en", "creator": "Example Org",
        "adoptionStatus": "Draft", "frameworkType": "Skills", "subject": ["Digital"],
    },
    "CFItems": [
        {"identifier": "item-a", "fullStatement": "Using devices", "CFItemType": "Domain",
         "listEnumeration": "2", "educationLevel": ["09"], "conceptKeywords": ["x"]},
        {"identifier": "item-b", "fullStatement": "Finding information", "CFItemType": "Domain",
         "listEnumeration": "1"},
        {"identifier": "item-b1", "fullStatement": "Search the web", "humanCodingScheme": "FI-1",
         "CFItemType": "Standard"},
        {"identifier": "item-a1", "fullStatement": "Charge a phone", "CFItemType": "Competency"},
        {"identifier": "item-a1x", "fullStatement": "Plugs in the charger", "CFItemType": "Indicator"},
        {"identifier": "lvl-1", "fullStatement": "Beginner", "CFItemType": "Level", "listEnumeration": "1"},
    ],
    "CFAssociations": [
        {"identifier": "as-1", "associationType": "isChildOf", "originNodeURI": {"identifier": "item-a"},
         "destinationNodeURI": {"identifier": "c0ffee00-0000-4000-8000-000000000001"}},
        {"identifier": "as-2", "associationType": "isChildOf", "originNodeURI": {"identifier": "item-b"},
         "destinationNodeURI": {"identifier": "c0ffee00-0000-4000-8000-000000000001"}},
        {"identifier": "as-3", "associationType": "isChildOf", "originNodeURI": {"identifier": "item-b1"},
         "destinationNodeURI": {"identifier": "item-b"}},
        {"identifier": "as-4", "associationType": "isChildOf", "originNodeURI": {"identifier": "item-a1"},
         "destinationNodeURI": {"identifier": "item-a"}},
        {"identifier": "as-5", "associationType": "isChildOf", "originNodeURI": {"identifier": "item-a1x"},
         "destinationNodeURI": {"identifier": "item-a1"}},
        {"identifier": "as-6", "associationType": "hasSkillLevel",
         "originNodeURI": {"identifier": "item-a1x"}, "destinationNodeURI": {"identifier": "lvl-1"}},
        {"identifier": "as-7", "associationType": "precedes", "originNodeURI": {"identifier": "item-b1"},
         "destinationNodeURI": {"identifier": "item-a1"}},
        {"identifier": "as-8", "associationType": "exactMatchOf", "originNodeURI": {"identifier": "item-b1"},
         "destinationNodeURI": {"identifier": case_uuid("digcomp-2.2:1.1"), "title": "Browsing"}},
        {"identifier": "as-9", "associationType": "exactMatchOf", "originNodeURI": {"identifier": "item-a1"},
         "destinationNodeURI": {"identifier": "somewhere-else", "title": "Unknown"}},
    ],
    "CFDefinitions": {"CFSubjects": []},
    "vendorStuff": {"anything": True},
}


def test_a_package_from_another_tool_comes_in():
    frameworks_load()
    report = framework_case_import(package=copy.deepcopy(FOREIGN))
    assert report.ok, report.rejected
    fw = Framework.objects.get(code=report.framework_code)
    assert fw.code == "sample-digital-skills-3" and fw.status == "draft"
    assert fw.title_en == "Sample Digital Skills"
    # Order from listEnumeration; missing codes numbered from the position; types by depth.
    assert [(a.code, a.title_en) for a in fw.areas.order_by("ordering")] == [
        ("1", "Finding information"), ("2", "Using devices")]
    assert sorted(fw.competences.values_list("code", "area__code")) == [("2.1", "2"), ("FI-1", "1")]
    indicator = Indicator.objects.get(competence__framework=fw)
    assert indicator.code == "2.1.1" and indicator.level.band_en == "Beginner"
    mapping = CompetenceMapping.objects.get(source__framework=fw)
    assert mapping.target.qualified_code == "digcomp-2.2:1.1"
    assert any("somewhere-else" in note for note in report.notes)  # unresolved target: reported
    assert any("precedes" in note for note in report.notes)
    # Identifiers of the other tool are kept, so its tools recognise our re-export.
    ids = {i["identifier"] for i in framework_case_export(framework=fw)["CFItems"]}
    assert {"item-a", "item-b1", "item-a1x", "lvl-1"} <= ids


def _reasons(report) -> str:
    return "\n".join(str(p) for p in report.rejected)


def test_malformed_package_imports_nothing_and_reports_every_problem(loaded):
    package = framework_case_export(framework=loaded)
    items = package["CFItems"]
    package_bad = copy.deepcopy(package)
    package_bad["CFDocument"]["extensions"]["vn.kynangso"]["code"] = "broken"
    bad_items = package_bad["CFItems"]
    bad_items.append(copy.deepcopy(items[10]))                # duplicate identifier
    bad_items[11]["fullStatement"] = 42                        # wrong type
    bad_items.append({"identifier": "orphan", "fullStatement": "Không có cha"})  # not in the tree
    bad_items.append("not an object")
    area = next(i for i in bad_items if isinstance(i, dict) and i.get("CFItemType") == "Area")
    area["CFItemType"] = "Competence"                          # typed one thing, placed as another
    package_bad["CFAssociations"].append({
        "identifier": "dangling", "associationType": "isChildOf",
        "originNodeURI": {"identifier": items[12]["identifier"]},
        "destinationNodeURI": {"identifier": "nowhere"}})
    report = framework_case_import(package=package_bad, code="broken")
    text = _reasons(report)
    assert not report.ok
    assert "identifier bị trùng" in text
    assert "fullStatement" in text
    assert "orphan" in text and "thiếu isChildOf" in text
    assert f"CFItems[{len(bad_items) - 1}]" in text and "đối tượng JSON" in text
    assert "CFItemType là “Competence”" in text
    assert "nowhere" in text
    assert len(report.rejected) >= 6
    assert not Framework.objects.filter(code="broken").exists()
    assert Competence.objects.count() == 45 + 0  # nothing half-imported


@pytest.mark.parametrize("package, expected", [
    ({"CFItems": []}, "CFDocument"),
    ({"CFDocument": "x", "CFItems": [{"identifier": "a", "fullStatement": "b"}]}, "CFDocument"),
    ({"CFDocument": {"identifier": "d", "title": "T"}}, "CFItems"),
    ({"CFDocument": {"identifier": "d", "title": "T"}, "CFItems": {"a": 1}}, "CFItems"),
    ([1, 2], "đối tượng JSON"),
])
def test_structurally_broken_packages(package, expected):
    report = framework_case_import(package=package)
    assert not report.ok and expected in _reasons(report)
    assert not Framework.objects.exists()


def test_partial_package_without_competences_is_refused():
    package = {"CFDocument": {"identifier": "d", "title": "Chỉ có miền"},
               "CFItems": [{"identifier": "a", "fullStatement": "Miền"}],
               "CFAssociations": [{"associationType": "isChildOf", "originNodeURI": {"identifier": "a"},
                                   "destinationNodeURI": {"identifier": "d"}}]}
    report = framework_case_import(package=package)
    assert not report.ok and "không có năng lực" in _reasons(report)


def test_cycle_and_too_deep_are_refused():
    doc = {"identifier": "doc", "title": "T"}
    items = [{"identifier": x, "fullStatement": x} for x in ("a", "b", "c", "deep", "x", "y")]
    edges = [("a", "doc"), ("b", "a"), ("c", "b"), ("deep", "c"), ("x", "y"), ("y", "x")]
    assoc = [{"associationType": "isChildOf", "originNodeURI": {"identifier": o},
              "destinationNodeURI": {"identifier": d}} for o, d in edges]
    report = framework_case_import(package={"CFDocument": doc, "CFItems": items, "CFAssociations": assoc})
    text = _reasons(report)
    assert "[deep]: Mục nằm sâu quá ba tầng" in text
    assert "[x]: isChildOf tạo thành vòng" in text and "[y]: isChildOf tạo thành vòng" in text
    assert not Framework.objects.exists()


def test_commands_export_and_import(tmp_path, loaded):
    target = tmp_path / "digcomp.json"
    call_command("export_case", "digcomp-2.2", str(target), stderr=StringIO())
    first = target.read_bytes()
    call_command("export_case", "digcomp-2.2", str(target), stderr=StringIO())
    assert target.read_bytes() == first
    out = StringIO()
    call_command("import_case", str(target), "--code", "digcomp-again", "--dry-run", stdout=out)
    assert "Chạy thử" in out.getvalue() and not Framework.objects.filter(code="digcomp-again").exists()
    call_command("import_case", str(target), "--code", "digcomp-again", stdout=StringIO())
    assert snapshot("digcomp-again") == snapshot("digcomp-2.2")
    bad = tmp_path / "bad.json"
    bad.write_text('{"CFItems": []}', encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="không ghi gì"):
        call_command("import_case", str(bad), stderr=err)
    assert "CFDocument" in err.getvalue()
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON"):
        call_command("import_case", str(bad))
    with pytest.raises(CommandError, match="digcomp-2.2"):
        call_command("export_case", "nope")
    assert FrameworkArea.objects.filter(framework__code="digcomp-again").count() == 5
