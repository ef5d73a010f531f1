"""IMS CASE 1.0 JSON packages of competence frameworks: export and all-or-nothing import.

Mapping (also in docs/decisions.md):
- The framework is the CFDocument; areas, competences and indicators are CFItems with
  CFItemType "Area", "Competence", "Indicator", joined to their parent (the document for
  an area) by `isChildOf` associations whose sequenceNumber keeps the order.
- Proficiency levels are CFItems of type "Proficiency Level" (humanCodingScheme "CB1",
  listEnumeration the ordinal) outside the tree; every competence points to each level
  of its framework by `hasSkillLevel` (an indicator to its own level, if it has one).
  We chose level items over CFRubric because every CASE viewer shows items and
  associations, while rubrics are rarely supported, and a level is one node, not a copy
  per competence.
- A crosswalk link is a CFAssociation of its CASE type (`exactMatchOf`, `isRelatedTo`,
  `isPartOf`, `isPeerOf`) from our competence to the other framework's competence.
- Identifiers are uuid5(NAMESPACE, key) where the key is the qualified code
  ("digcomp-2.2:4.2", "digcomp-2.2:area:4", "digcomp-2.2:level:3" …), unless the object
  came from someone else's package, whose identifier we keep. URIs are `urn:uuid:…` and
  the output is sorted, so exporting twice gives the same bytes.
- CASE is one language per document: `fullStatement` is in the requested language (the
  framework's Vietnamese by default) and the item's `language` says which. Both
  languages, our framework code and level bands ride along in an `extensions` object
  (CASE 1.1's extension point; CASE 1.0 tools ignore unknown fields).

Import accepts packages from other tools: unknown fields are ignored; an item's kind
comes from its CFItemType when we know the word, else from its depth in the isChildOf
tree (1 area, 2 competence, 3 indicator); a missing humanCodingScheme is numbered from
the position. The whole package is checked first and every rejected part is reported
with its reason; if anything is rejected nothing is written.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.core.text import fold

from .loading import LoadReport, sync_object
from .models import (
    CODE_RE,
    Competence,
    CompetenceMapping,
    Framework,
    FrameworkArea,
    Indicator,
    ProficiencyLevel,
)

# uuid5(NAMESPACE_URL, "urn:kynangso:competence-frameworks"); never change it.
NAMESPACE = uuid.UUID("fb0a676a-e1d9-5f0d-9788-664b247c51ad")
EXT = "vn.kynangso"  # our key inside `extensions`
CASE_VERSION = "1.0"

AREA, COMPETENCE, INDICATOR, LEVEL = "Area", "Competence", "Indicator", "Proficiency Level"
ITEM_TYPES = (AREA, COMPETENCE, INDICATOR, LEVEL)
# CFItemType words of other tools, folded, that we understand.
TYPE_WORDS = {
    "area": AREA, "domain": AREA, "competence area": AREA, "linh vuc": AREA, "mien nang luc": AREA,
    "competence": COMPETENCE, "competency": COMPETENCE, "nang luc": COMPETENCE,
    "indicator": INDICATOR, "performance indicator": INDICATOR, "bieu hien": INDICATOR, "chi bao": INDICATOR,
    "proficiency level": LEVEL, "level": LEVEL, "skill level": LEVEL, "performance level": LEVEL,
    "trinh do": LEVEL, "muc do": LEVEL,
}
DEPTH_KIND = {1: AREA, 2: COMPETENCE, 3: INDICATOR}
CROSSWALK_TYPES = {choice.value for choice in CompetenceMapping.Relation}
STATUS_TO_CASE = {"draft": "Draft", "published": "Adopted", "deprecated": "Deprecated"}
CASE_TO_STATUS = {v.lower(): k for k, v in STATUS_TO_CASE.items()}


def case_uuid(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def framework_identifier(framework: Framework) -> str:
    return framework.case_identifier or case_uuid(framework.code)


def area_identifier(area: FrameworkArea, framework_code: str) -> str:
    return area.case_identifier or case_uuid(f"{framework_code}:area:{area.code}")


def competence_identifier(competence: Competence, framework_code: str) -> str:
    return competence.case_identifier or case_uuid(f"{framework_code}:{competence.code}")


def indicator_identifier(indicator: Indicator, framework_code: str, competence_code: str) -> str:
    key = f"{framework_code}:indicator:{competence_code}:{indicator.code}"
    return indicator.case_identifier or case_uuid(key)


def level_identifier(level: ProficiencyLevel, framework_code: str) -> str:
    return level.case_identifier or case_uuid(f"{framework_code}:level:{level.ordinal}")


def _stamp(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+00:00") if value else "1970-01-01T00:00:00+00:00"


def _uri(identifier: str) -> str:
    return f"urn:uuid:{identifier}"


def _link(identifier: str, title: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": _uri(identifier)}


# --- export ------------------------------------------------------------------------------


def framework_case_export(*, framework: Framework, language: str = "vi") -> dict[str, Any]:
    """The framework as a CASE 1.0 package (a JSON-ready dict), deterministic."""
    english = language == "en"

    def text(obj, name: str) -> str:
        vi, en = getattr(obj, f"{name}_vi"), getattr(obj, f"{name}_en")
        return (en or vi) if english else (vi or en)

    lang = "en" if english else "vi"
    code = framework.code
    doc_id = framework_identifier(framework)
    doc_title = text(framework, "title")
    doc_link = _link(doc_id, doc_title)
    stamp = _stamp(framework.updated_at)
    types = {name: case_uuid(f"itemtype:{name}") for name in ITEM_TYPES}
    items: list[dict] = []
    associations: list[dict] = []

    def bilingual(obj) -> dict:
        return {
            "title_vi": obj.title_vi, "title_en": obj.title_en,
            "description_vi": obj.description_vi, "description_en": obj.description_en,
        }

    def item(
        identifier: str, kind: str, statement: str, coding: str, enumeration: int, obj, ext: dict
    ) -> None:
        entry = {
            "identifier": identifier,
            "uri": _uri(identifier),
            "CFDocumentURI": doc_link,
            "fullStatement": statement,
            "humanCodingScheme": coding,
            "listEnumeration": str(enumeration),
            "CFItemType": kind,
            "CFItemTypeURI": _link(types[kind], kind),
            "language": lang,
            "lastChangeDateTime": _stamp(getattr(obj, "updated_at", None)),
            "extensions": {EXT: ext},
        }
        notes = text(obj, "description") if hasattr(obj, "description_vi") else ""
        if notes:
            entry["notes"] = notes
        items.append(entry)

    def associate(kind: str, origin: dict, destination: dict, sequence: int | None = None) -> None:
        identifier = case_uuid(f"association:{kind}:{origin['identifier']}:{destination['identifier']}")
        entry = {
            "identifier": identifier,
            "uri": _uri(identifier),
            "CFDocumentURI": doc_link,
            "associationType": kind,
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": stamp,
        }
        if sequence is not None:
            entry["sequenceNumber"] = sequence
        associations.append(entry)

    levels = list(framework.levels.order_by("ordinal"))
    level_links = {}
    for level in levels:
        identifier = level_identifier(level, code)
        band = level.band_en if english and level.band_en else level.band_vi
        descriptor = (level.descriptor_en or level.descriptor_vi) if english else (
            level.descriptor_vi or level.descriptor_en)
        statement = f"{band}: {descriptor}" if descriptor else band
        item(identifier, LEVEL, statement, level.code, level.ordinal, level, {
            "ordinal": level.ordinal, "code": level.code, "band_vi": level.band_vi, "band_en": level.band_en,
            "descriptor_vi": level.descriptor_vi, "descriptor_en": level.descriptor_en,
        })
        level_links[level.pk] = _link(identifier, statement)

    competences_by_area = defaultdict(list)
    for competence in framework.competences.order_by("ordering", "code").prefetch_related("indicators"):
        competences_by_area[competence.area_id].append(competence)
    mappings = CompetenceMapping.objects.filter(source__framework=framework).select_related(
        "source", "target", "target__framework"
    ).order_by("source__code", "target__framework__code", "target__code")
    mappings_by_source = defaultdict(list)
    for mapping in mappings:
        mappings_by_source[mapping.source_id].append(mapping)

    for area in framework.areas.order_by("ordering", "code"):
        area_id = area_identifier(area, code)
        item(area_id, AREA, text(area, "title"), area.code, area.ordering, area, bilingual(area))
        area_link = _link(area_id, text(area, "title"))
        associate("isChildOf", area_link, doc_link, area.ordering)
        for competence in competences_by_area[area.pk]:
            comp_id = competence_identifier(competence, code)
            title = text(competence, "title")
            item(comp_id, COMPETENCE, title, competence.code, competence.ordering, competence,
                 {**bilingual(competence), "qualified_code": f"{code}:{competence.code}"})
            comp_link = _link(comp_id, title)
            associate("isChildOf", comp_link, area_link, competence.ordering)
            for level in levels:
                associate("hasSkillLevel", comp_link, level_links[level.pk], level.ordinal)
            for indicator in sorted(competence.indicators.all(), key=lambda i: (i.ordering, i.code)):
                ind_id = indicator_identifier(indicator, code, competence.code)
                item(ind_id, INDICATOR, text(indicator, "title"), indicator.code, indicator.ordering,
                     indicator, bilingual(indicator))
                ind_link = _link(ind_id, text(indicator, "title"))
                associate("isChildOf", ind_link, comp_link, indicator.ordering)
                if indicator.level_id in level_links:
                    associate("hasSkillLevel", ind_link, level_links[indicator.level_id])
            for mapping in mappings_by_source[competence.pk]:
                target = mapping.target
                target_id = competence_identifier(target, target.framework.code)
                associate(mapping.relation, comp_link, _link(target_id, text(target, "title")))

    document = {
        "identifier": doc_id,
        "uri": _uri(doc_id),
        "creator": framework.publisher or "Kỹ năng số",
        "title": doc_title,
        "lastChangeDateTime": stamp,
        "publisher": framework.publisher,
        "description": text(framework, "description"),
        "version": framework.version,
        "adoptionStatus": STATUS_TO_CASE.get(framework.status, "Draft"),
        "language": lang,
        "notes": framework.source,
        "caseVersion": CASE_VERSION,
        "CFPackageURI": doc_link,
        "extensions": {EXT: {
            "code": code, "title_vi": framework.title_vi, "title_en": framework.title_en,
            "description_vi": framework.description_vi, "description_en": framework.description_en,
            "source": framework.source, "language": framework.language,
        }},
    }
    if framework.source_url:
        document["officialSourceURL"] = framework.source_url
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFItemTypes": [
                {"identifier": types[name], "uri": _uri(types[name]), "title": name, "typeCode": name,
                 "description": name, "hierarchyCode": str(i), "lastChangeDateTime": _stamp(None)}
                for i, name in enumerate(ITEM_TYPES, start=1)
            ],
        },
    }


# --- import: check everything first ----------------------------------------------------


@dataclass
class Problem:
    where: str
    reason: str
    identifier: str = ""

    def __str__(self) -> str:
        ident = f" [{self.identifier}]" if self.identifier else ""
        return f"{self.where}{ident}: {self.reason}"


@dataclass
class ImportReport(LoadReport):
    framework_code: str = ""
    rejected: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


@dataclass
class _Node:
    index: int
    identifier: str
    statement: str
    coding: str
    enumeration: str
    declared: str  # our kind from CFItemType, or ""
    language: str
    notes: str
    ext: dict
    kind: str = ""
    parent: str = ""
    sequence: float = 0
    code: str = ""


def _ext(obj: dict) -> dict:
    extensions = obj.get("extensions")
    if isinstance(extensions, dict) and isinstance(extensions.get(EXT), dict):
        return extensions[EXT]
    return {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", fold(text)).strip("-.")[:64]


def _sort_key(node: _Node):
    try:
        enum = float(node.enumeration)
    except ValueError:
        enum = float("inf")
    return (node.sequence, enum, node.index)


class _Plan:
    """What a valid package would write, built while collecting every problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.document: dict = {}
        self.doc_id = ""
        self.nodes: dict[str, _Node] = {}
        self.skill_levels: dict[str, list[str]] = defaultdict(list)  # origin → level ids
        self.crosswalk: list[tuple[str, str, str, str]] = []  # (relation, origin, dest id, dest title)

    def reject(self, where: str, reason: str, identifier: str = "") -> None:
        self.problems.append(Problem(where=where, reason=reason, identifier=identifier))


def _check_package(package: Any) -> _Plan:
    plan = _Plan()
    if not isinstance(package, dict):
        plan.reject(_("gói"), _("Gói CASE phải là một đối tượng JSON."))
        return plan
    document = package.get("CFDocument")
    if not isinstance(document, dict):
        plan.reject("CFDocument", _("Thiếu CFDocument hoặc CFDocument không phải đối tượng JSON."))
    else:
        plan.document = document
        plan.doc_id = _text(document.get("identifier"))
        if not plan.doc_id:
            plan.reject("CFDocument", _("Thiếu identifier (chuỗi)."))
        elif len(plan.doc_id) > 64:
            plan.reject("CFDocument", _("identifier dài quá 64 ký tự."), plan.doc_id[:64])
        if not _text(document.get("title")):
            plan.reject("CFDocument", _("Thiếu title (chuỗi)."), plan.doc_id)
    seen: set[str] = {plan.doc_id} if plan.doc_id else set()

    raw_items = package.get("CFItems")
    if not isinstance(raw_items, list) or not raw_items:
        plan.reject("CFItems", _("Thiếu CFItems hoặc CFItems không phải danh sách khác rỗng."))
        raw_items = []
    for index, raw in enumerate(raw_items):
        where = f"CFItems[{index}]"
        if not isinstance(raw, dict):
            plan.reject(where, _("Mục phải là một đối tượng JSON."))
            continue
        identifier = raw.get("identifier")
        if not isinstance(identifier, str) or not identifier.strip():
            plan.reject(where, _("Thiếu identifier (chuỗi)."))
            continue
        identifier = identifier.strip()
        if len(identifier) > 64:
            plan.reject(where, _("identifier dài quá 64 ký tự."), identifier[:64])
            continue
        if identifier in seen:
            plan.reject(where, _("identifier bị trùng."), identifier)
            continue
        seen.add(identifier)
        bad = False
        statement = raw.get("fullStatement")
        if not isinstance(statement, str) or not statement.strip():
            plan.reject(where, _("Thiếu fullStatement (chuỗi)."), identifier)
            bad = True
        for name, kinds in (("humanCodingScheme", (str,)), ("CFItemType", (str,)),
                            ("listEnumeration", (str, int)), ("language", (str,)), ("notes", (str,))):
            value = raw.get(name)
            if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
                plan.reject(where, _("%(field)s phải là chuỗi.") % {"field": name}, identifier)
                bad = True
        if bad:
            continue
        declared_word = _text(raw.get("CFItemType"))
        declared = TYPE_WORDS.get(fold(declared_word), "")
        if declared_word and not declared:
            plan.notes.append(
                _("%(where)s: loại “%(type)s” không quen, xếp theo vị trí trong cây.")
                % {"where": where, "type": declared_word}
            )
        plan.nodes[identifier] = _Node(
            index=index, identifier=identifier, statement=statement.strip(),
            coding=_text(raw.get("humanCodingScheme")), enumeration=str(raw.get("listEnumeration") or ""),
            declared=declared, language=_text(raw.get("language")).lower(),
            notes=_text(raw.get("notes")), ext=_ext(raw),
        )

    raw_associations = package.get("CFAssociations", [])
    if not isinstance(raw_associations, list):
        plan.reject("CFAssociations", _("CFAssociations phải là danh sách."))
        raw_associations = []
    assoc_seen: set[str] = set()
    ignored: Counter = Counter()
    for index, raw in enumerate(raw_associations):
        where = f"CFAssociations[{index}]"
        if not isinstance(raw, dict):
            plan.reject(where, _("Liên kết phải là một đối tượng JSON."))
            continue
        identifier = _text(raw.get("identifier"))
        if identifier:
            if identifier in assoc_seen or identifier in seen:
                plan.reject(where, _("identifier bị trùng."), identifier)
                continue
            assoc_seen.add(identifier)
        kind = raw.get("associationType")
        origin, dest = raw.get("originNodeURI"), raw.get("destinationNodeURI")
        if not isinstance(kind, str) or not kind:
            plan.reject(where, _("Thiếu associationType (chuỗi)."), identifier)
            continue
        if not isinstance(origin, dict) or not _text(origin.get("identifier")):
            plan.reject(where, _("originNodeURI thiếu hoặc không có identifier."), identifier)
            continue
        if not isinstance(dest, dict) or not _text(dest.get("identifier")):
            plan.reject(where, _("destinationNodeURI thiếu hoặc không có identifier."), identifier)
            continue
        origin_id, dest_id = _text(origin["identifier"]), _text(dest["identifier"])
        sequence = raw.get("sequenceNumber")
        if kind == "isChildOf":
            if origin_id not in plan.nodes:
                plan.reject(where, _("isChildOf: mục con %(id)s không có trong gói.") % {"id": origin_id},
                            identifier)
                continue
            if dest_id != plan.doc_id and dest_id not in plan.nodes:
                plan.reject(where, _("isChildOf: mục cha %(id)s không có trong gói.") % {"id": dest_id},
                            identifier)
                continue
            node = plan.nodes[origin_id]
            if node.parent and node.parent != dest_id:
                plan.reject(where, _("Mục có hai mục cha (isChildOf)."), origin_id)
                continue
            node.parent = dest_id
            if isinstance(sequence, int | float) and not isinstance(sequence, bool):
                node.sequence = sequence
        elif kind == "hasSkillLevel":
            if origin_id not in plan.nodes or dest_id not in plan.nodes:
                missing = origin_id if origin_id not in plan.nodes else dest_id
                plan.reject(where, _("hasSkillLevel: mục %(id)s không có trong gói.") % {"id": missing},
                            identifier)
                continue
            plan.skill_levels[origin_id].append(dest_id)
        elif kind in CROSSWALK_TYPES:
            if origin_id not in plan.nodes:
                plan.reject(where, _("%(type)s: mục %(id)s không có trong gói.")
                            % {"type": kind, "id": origin_id}, identifier)
                continue
            if dest_id in plan.nodes:
                ignored[kind] += 1
                continue
            plan.crosswalk.append((kind, origin_id, dest_id, _text(dest.get("title"))))
        else:
            ignored[kind] += 1
    for kind, count in sorted(ignored.items()):
        plan.notes.append(_("Bỏ qua %(n)s liên kết “%(type)s” (không dùng).") % {"n": count, "type": kind})
    _classify(plan)
    return plan


def _classify(plan: _Plan) -> None:
    """Give each item its kind and code; reject what does not fit a framework's shape."""
    level_ids = {dest for dests in plan.skill_levels.values() for dest in dests}
    for node in plan.nodes.values():
        if node.declared == LEVEL or (node.identifier in level_ids and not node.parent):
            node.kind = LEVEL
            if node.parent:
                plan.reject(f"CFItems[{node.index}]", _("Trình độ không được nằm trong cây (isChildOf)."),
                            node.identifier)
            continue
        if not node.parent:
            plan.reject(f"CFItems[{node.index}]", _("Mục không thuộc cây nào (thiếu isChildOf)."),
                        node.identifier)
            continue
        depth, cursor, visited = 0, node, set()
        while cursor is not None and cursor.identifier not in visited:
            visited.add(cursor.identifier)
            depth += 1
            cursor = plan.nodes.get(cursor.parent) if cursor.parent != plan.doc_id else None
        if cursor is not None:
            plan.reject(f"CFItems[{node.index}]", _("isChildOf tạo thành vòng."), node.identifier)
            continue
        by_depth = DEPTH_KIND.get(depth)
        if by_depth is None:
            plan.reject(f"CFItems[{node.index}]", _("Mục nằm sâu quá ba tầng (miền → năng lực → chỉ báo)."),
                        node.identifier)
            continue
        if node.declared and node.declared != by_depth:
            plan.reject(
                f"CFItems[{node.index}]",
                _("CFItemType là “%(declared)s” nhưng mục ở vị trí của “%(expected)s”.")
                % {"declared": node.declared, "expected": by_depth},
                node.identifier,
            )
            continue
        node.kind = by_depth
    for origin, dests in plan.skill_levels.items():
        node = plan.nodes[origin]
        for dest in dests:
            if plan.nodes[dest].kind != LEVEL:
                plan.reject(f"CFItems[{plan.nodes[dest].index}]",
                            _("Đích của hasSkillLevel phải là một trình độ."), dest)
        if node.kind == INDICATOR and len(dests) > 1:
            plan.reject(f"CFItems[{node.index}]", _("Một chỉ báo chỉ gắn với một trình độ."), origin)
        elif node.kind not in (COMPETENCE, INDICATOR) and node.kind:
            plan.reject(f"CFItems[{node.index}]", _("Chỉ năng lực và chỉ báo mới có hasSkillLevel."), origin)
    if plan.problems:
        return

    # Codes: humanCodingScheme, else numbered from the position among siblings.
    children: dict[str, list[_Node]] = defaultdict(list)
    for node in plan.nodes.values():
        if node.kind != LEVEL:
            children[node.parent].append(node)

    def number(parent_id: str, prefix: str) -> None:
        for position, node in enumerate(sorted(children[parent_id], key=_sort_key), start=1):
            node.sequence = position
            node.code = node.coding or f"{prefix}{position}"
            number(node.identifier, f"{node.code}.")

    number(plan.doc_id, "")
    levels = sorted((n for n in plan.nodes.values() if n.kind == LEVEL), key=_sort_key)
    for position, node in enumerate(levels, start=1):
        ordinal = node.ext.get("ordinal", node.enumeration or position)
        try:
            node.sequence = int(ordinal)
        except (TypeError, ValueError):
            node.sequence = position
        node.code = _text(node.ext.get("code")) or node.coding or str(node.sequence)
        if not 1 <= node.sequence <= 8:
            plan.reject(f"CFItems[{node.index}]", _("Bậc trình độ phải từ 1 đến 8."), node.identifier)
    for kind, scope in ((AREA, lambda n: ""), (COMPETENCE, lambda n: ""), (INDICATOR, lambda n: n.parent),
                        (LEVEL, lambda n: "")):
        seen: dict[tuple[str, str], str] = {}
        for node in plan.nodes.values():
            if node.kind != kind:
                continue
            keys = [(scope(node), node.code)]
            if kind == LEVEL:
                keys.append((scope(node), f"#{node.sequence}"))
            for key in keys:
                if key in seen:
                    plan.reject(f"CFItems[{node.index}]",
                                _("Mã “%(code)s” trùng với mục %(other)s.")
                                % {"code": key[1], "other": seen[key]},
                                node.identifier)
                seen[key] = node.identifier
            if len(node.code) > (16 if kind == LEVEL else 32):
                plan.reject(f"CFItems[{node.index}]", _("Mã quá dài."), node.identifier)
            if len(node.statement) > 255 and kind != LEVEL:
                plan.reject(f"CFItems[{node.index}]", _("fullStatement dài quá 255 ký tự."), node.identifier)
    if not any(n.kind == COMPETENCE for n in plan.nodes.values()):
        plan.reject("CFItems", _("Gói không có năng lực nào (miền → năng lực)."))


def _titles(node: _Node, doc_language: str) -> dict:
    ext = node.ext
    english = (node.language or doc_language).startswith("en")
    title_vi = _text(ext.get("title_vi")) or ("" if english else node.statement)
    title_en = _text(ext.get("title_en")) or (node.statement if english else "")
    desc_vi = _text(ext.get("description_vi")) or ("" if english else node.notes)
    desc_en = _text(ext.get("description_en")) or (node.notes if english else "")
    return {"title_vi": title_vi or title_en, "title_en": title_en,
            "description_vi": desc_vi, "description_en": desc_en}


def _derived_identifiers() -> dict[str, str]:
    """Every identifier our data answers to (stored or derived) → framework code."""
    owners: dict[str, str] = {}
    for fw in Framework.objects.all():
        owners[framework_identifier(fw)] = fw.code
    for area in FrameworkArea.objects.select_related("framework"):
        owners[area_identifier(area, area.framework.code)] = area.framework.code
    for comp in Competence.objects.select_related("framework"):
        owners[competence_identifier(comp, comp.framework.code)] = comp.framework.code
    for level in ProficiencyLevel.objects.select_related("framework"):
        owners[level_identifier(level, level.framework.code)] = level.framework.code
    return owners


def _competence_by_identifier(identifier: str) -> Competence | None:
    for comp in Competence.objects.select_related("framework"):
        if competence_identifier(comp, comp.framework.code) == identifier:
            return comp
    return None


def framework_case_import(*, package: Any, code: str = "", dry_run: bool = False) -> ImportReport:
    """Import a CASE 1.0 package as a framework; all or nothing.

    Rules: the whole package is checked before anything is written and every rejected
    part is reported with its reason (missing CFDocument, duplicate identifiers, wrong
    JSON types, dangling or cyclic isChildOf, an item typed one thing but placed as
    another …); with any rejection nothing is written. The framework code is `code`,
    else the one in our extension, else derived from title and version. An existing
    framework with that code is updated in place, matched by codes, and what the package
    does not mention is kept and counted; a package whose identifiers belong to another
    framework must be imported under a new `code` (its items then get identifiers
    derived from the new code). Crosswalk links whose target is not in the database are
    reported and skipped. `dry_run` checks and counts, then rolls back.
    """
    plan = _check_package(package)
    report = ImportReport(dry_run=dry_run, notes=plan.notes)
    if plan.problems:
        report.rejected = plan.problems
        return report
    document = plan.document
    doc_ext = _ext(document)
    target_code = (code or _text(doc_ext.get("code"))
                   or _slug(f"{_text(document.get('title'))}-{_text(document.get('version'))}"))
    report.framework_code = target_code
    if not re.match(CODE_RE, target_code) or len(target_code) > 64:
        report.rejected.append(Problem(
            where="CFDocument", identifier=plan.doc_id,
            reason=_("Mã khung “%(code)s” không hợp lệ: chỉ gồm chữ thường không dấu, chữ số, dấu chấm, "
                     "gạch ngang.") % {"code": target_code}))
        return report
    keep_identifiers = not code or code == _text(doc_ext.get("code"))
    if keep_identifiers:
        owners = _derived_identifiers()
        for identifier in [plan.doc_id, *plan.nodes]:
            owner = owners.get(identifier)
            if owner and owner != target_code:
                report.rejected.append(Problem(
                    where=_("gói"), identifier=identifier,
                    reason=_("Mã định danh đã thuộc khung “%(owner)s”; hãy nhập với một mã khung mới.")
                    % {"owner": owner}))
                break
        if report.rejected:
            return report

    try:
        with transaction.atomic():
            _write(plan=plan, code=target_code, keep_identifiers=keep_identifiers, report=report)
            if dry_run:
                transaction.set_rollback(True)
    except _Rejected as exc:
        report.rejected.append(exc.problem)
    return report


class _Rejected(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _write(*, plan: _Plan, code: str, keep_identifiers: bool, report: ImportReport) -> None:
    document, doc_ext = plan.document, _ext(plan.document)
    doc_language = (_text(document.get("language")) or _text(doc_ext.get("language")) or "vi").lower()
    english = doc_language.startswith("en")

    def ident(identifier: str, derived: str) -> str:
        return identifier if keep_identifiers and identifier != derived else ""

    def sync(model, label, key, values, where="", identifier=""):
        try:
            return sync_object(model, label=label, key=key, values=values, report=report)
        except ValidationError as exc:
            problem = Problem(where=where or label, identifier=identifier, reason=" ".join(exc.messages))
            raise _Rejected(problem) from exc

    title = _text(document.get("title"))
    description = _text(document.get("description"))
    fw_values = {
        "title_vi": _text(doc_ext.get("title_vi")) or ("" if english else title) or title,
        "title_en": _text(doc_ext.get("title_en")) or (title if english else ""),
        "description_vi": _text(doc_ext.get("description_vi")) or ("" if english else description),
        "description_en": _text(doc_ext.get("description_en")) or (description if english else ""),
        "version": _text(document.get("version"))[:32],
        "publisher": (_text(document.get("publisher")) or _text(document.get("creator")))[:255],
        "source": (_text(doc_ext.get("source")) or _text(document.get("notes")))[:255],
        "language": (_text(doc_ext.get("language")) or doc_language)[:8],
        "status": CASE_TO_STATUS.get(
            _text(document.get("adoptionStatus")).lower(), Framework.Status.PUBLISHED
        ),
        "case_identifier": ident(plan.doc_id, case_uuid(code)),
    }
    if isinstance(document.get("officialSourceURL"), str):
        fw_values["source_url"] = document["officialSourceURL"][:200]
    framework = sync(Framework, _("khung năng lực"), {"code": code}, fw_values, "CFDocument", plan.doc_id)

    nodes = plan.nodes
    levels: dict[str, ProficiencyLevel] = {}
    for node in sorted((n for n in nodes.values() if n.kind == LEVEL), key=lambda n: n.sequence):
        ext = node.ext
        english_node = (node.language or doc_language).startswith("en")
        statement_vi = "" if english_node else node.statement
        values = {
            "code": node.code,
            "band_vi": _text(ext.get("band_vi")) or statement_vi[:64] or node.statement[:64],
            "band_en": _text(ext.get("band_en")) or (node.statement[:64] if english_node else ""),
            "descriptor_vi": _text(ext.get("descriptor_vi")) if ext else statement_vi,
            "descriptor_en": _text(ext.get("descriptor_en")) if ext else (
                node.statement if english_node else ""),
            "case_identifier": ident(node.identifier, case_uuid(f"{code}:level:{node.sequence}")),
        }
        levels[node.identifier] = sync(ProficiencyLevel, _("trình độ"),
                                       {"framework": framework, "ordinal": node.sequence}, values,
                                       f"CFItems[{node.index}]", node.identifier)

    areas: dict[str, FrameworkArea] = {}
    competences: dict[str, Competence] = {}
    for kind in (AREA, COMPETENCE, INDICATOR):
        of_kind = [n for n in nodes.values() if n.kind == kind]
        for node in sorted(of_kind, key=lambda n: (n.parent, n.sequence)):
            where = f"CFItems[{node.index}]"
            values = {**_titles(node, doc_language), "ordering": int(node.sequence)}
            if kind == AREA:
                values["case_identifier"] = ident(node.identifier, case_uuid(f"{code}:area:{node.code}"))
                areas[node.identifier] = sync(FrameworkArea, _("miền năng lực"),
                                              {"framework": framework, "code": node.code}, values, where,
                                              node.identifier)
            elif kind == COMPETENCE:
                values["area"] = areas[node.parent]
                values["case_identifier"] = ident(node.identifier, case_uuid(f"{code}:{node.code}"))
                competences[node.identifier] = sync(
                    Competence, _("năng lực"), {"framework": framework, "code": node.code}, values, where,
                    node.identifier)
            else:
                parent = competences[node.parent]
                level_ids = plan.skill_levels.get(node.identifier, [])
                values["level"] = levels.get(level_ids[0]) if level_ids else None
                values["case_identifier"] = ident(
                    node.identifier, case_uuid(f"{code}:indicator:{parent.code}:{node.code}"))
                sync(Indicator, _("chỉ báo"), {"competence": parent, "code": node.code}, values, where,
                     node.identifier)

    for relation, origin, dest, dest_title in plan.crosswalk:
        source = competences.get(origin)
        if source is None:
            report.notes.append(_("Bỏ qua liên kết %(type)s từ mục %(id)s: không phải năng lực.")
                                % {"type": relation, "id": origin})
            continue
        target = _competence_by_identifier(dest)
        if target is None:
            report.notes.append(
                _("Chưa có năng lực đích %(title)s [%(id)s] của liên kết %(type)s từ %(code)s: bỏ qua.")
                % {"title": dest_title, "id": dest, "type": relation, "code": source.code})
            continue
        sync(CompetenceMapping, _("đối chiếu năng lực"),
             {"source": source, "target": target, "relation": relation}, {}, relation, dest)

    label_kept = _("có trong cơ sở dữ liệu nhưng không có trong gói (giữ lại)")
    kept = (
        framework.areas.exclude(pk__in=[a.pk for a in areas.values()]).count()
        + framework.competences.exclude(pk__in=[c.pk for c in competences.values()]).count()
        + framework.levels.exclude(pk__in=[lv.pk for lv in levels.values()]).count()
    )
    if kept:
        report.not_in_file[label_kept] = kept
