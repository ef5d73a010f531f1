"""Reads of competence frameworks: the public list, one framework's outline."""

from dataclasses import astuple, dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lms.accounts.models import AGENCY_ROLES, Role, RoleAssignment
from lms.accounts.selectors import agencies_visible_to, roles_active_for

from .models import (
    QUALIFIER,
    Competence,
    CompetenceMapping,
    Evidence,
    Framework,
    FrameworkArea,
    Indicator,
    Instrument,
    Item,
    Option,
    ProficiencyLevel,
    SelfAssessment,
    SelfAssessmentAnswer,
    TargetLevel,
    TargetProfile,
)


def frameworks_public() -> QuerySet[Framework]:
    """Frameworks anyone may browse (not drafts), with their area and competence counts."""
    return (
        Framework.objects.exclude(status=Framework.Status.DRAFT)
        .annotate(
            area_count=Count("areas", distinct=True), competence_count=Count("competences", distinct=True)
        )
        .order_by("code")
    )


def framework_by_ref(*, ref: str, public_only: bool = True) -> Framework | None:
    """A framework by numeric id or by code (`digcomp-2.2`)."""
    qs = frameworks_public() if public_only else Framework.objects.all()
    return qs.filter(pk=int(ref)).first() if ref.isdigit() else qs.filter(code=ref).first()


@dataclass
class AreaOutline:
    area: FrameworkArea
    competences: list[Competence] = field(default_factory=list)


@dataclass
class FrameworkOutline:
    framework: Framework
    areas: list[AreaOutline]
    levels: list[ProficiencyLevel]


def framework_outline(*, framework: Framework) -> FrameworkOutline:
    """Areas → competences (with indicators and crosswalk links both ways) and levels.

    A fixed number of queries whatever the framework's size (five).
    """
    competences = (
        Competence.objects.filter(framework=framework)
        .order_by("ordering", "code")
        .prefetch_related(
            Prefetch("indicators",
                     queryset=Indicator.objects.select_related("level").order_by("ordering", "code")),
            Prefetch("mappings_out", queryset=CompetenceMapping.objects.select_related("target__framework")
                     .order_by("target__framework__code", "target__code")),
            Prefetch("mappings_in", queryset=CompetenceMapping.objects.select_related("source__framework")
                     .order_by("source__framework__code", "source__code")),
        )
    )
    by_area: dict[int, list[Competence]] = {}
    for competence in competences:
        competence.framework = framework
        by_area.setdefault(competence.area_id, []).append(competence)
    areas = [
        AreaOutline(area=area, competences=by_area.get(area.pk, []))
        for area in FrameworkArea.objects.filter(framework=framework).order_by("ordering", "code")
    ]
    levels = list(framework.levels.order_by("ordinal"))
    return FrameworkOutline(framework=framework, areas=areas, levels=levels)


# --- Competence names for other apps' pages (course pages, certificates) ------------------

COMPETENCE_NAME_CACHE_SECONDS = 24 * 60 * 60
_MISSING = "-"


@dataclass(frozen=True)
class CompetenceName:
    qualified_code: str  # digcomp-2.2:1.1
    code: str  # 1.1
    title_vi: str
    title_en: str

    @property
    def title(self) -> str:
        if (get_language() or "vi").startswith("en") and self.title_en:
            return self.title_en
        return self.title_vi


def _name_key(code: str) -> str:
    return "assessments:competence-name:v1:" + code.replace(" ", "_")[:200]


def competences_named(*, codes: list[str]) -> dict[str, CompetenceName]:
    """Titles of competences named by qualified code (`digcomp-2.2:1.1`), for pages that
    list them: {code: CompetenceName}; a code naming no competence is left out. Cached
    per code (a day, forgotten when a competence or framework is saved or deleted —
    competence_names_forget), so a page that shows them costs no query once warm; one
    query for the misses."""
    wanted = [c for c in dict.fromkeys(codes) if c]
    if not wanted:
        return {}
    keys = {code: _name_key(code) for code in wanted}
    try:
        cached = cache.get_many(list(keys.values()))
    except Exception:  # the cache is a help, never the only copy
        cached = {}
    found: dict[str, CompetenceName] = {}
    misses = []
    for code, key in keys.items():
        if key in cached:
            if cached[key] != _MISSING:
                found[code] = CompetenceName(*cached[key])
        else:
            misses.append(code)
    pairs = [code.split(QUALIFIER, 1) for code in misses if QUALIFIER in code]
    if pairs:
        rows = Competence.objects.filter(
            framework__code__in={f for f, _c in pairs}, code__in={c for _f, c in pairs}
        ).values_list("framework__code", "code", "title_vi", "title_en")
        for framework_code, code, title_vi, title_en in rows:
            qualified = f"{framework_code}{QUALIFIER}{code}"
            if qualified in keys:
                found[qualified] = CompetenceName(qualified, code, title_vi, title_en)
    if misses:
        fresh = {keys[c]: (astuple(found[c]) if c in found else _MISSING) for c in misses}
        try:
            cache.set_many(fresh, COMPETENCE_NAME_CACHE_SECONDS)
        except Exception:
            pass
    return found


def competence_names_forget(*, codes: list[str]) -> None:
    """Forget the cached names of these qualified codes (a competence was edited)."""
    try:
        cache.delete_many([_name_key(code) for code in codes])
    except Exception:
        pass


# --- Self-assessment, evidence, profile ----------------------------------------------------

# How a current level is derived from evidence (docs/competence-scoring.md, "Current level"):
SELF_ASSESSED_CAP = 4  # self-assessment alone never claims more than level 4 (Intermediate)
RULE_NONE = "none"
RULE_VERIFIED = "verified"
RULE_SELF = "self"
RULE_SELF_CAPPED = "self_capped"


def instrument_current(*, code: str = "") -> Instrument | None:
    """The current version of the instrument `code` (any code when empty)."""
    qs = Instrument.objects.filter(is_current=True).select_related("framework")
    if code:
        qs = qs.filter(code=code)
    return qs.order_by("code", "-created_at").first()


def selfassessment_open(*, person, instrument: Instrument) -> SelfAssessment | None:
    qs = SelfAssessment.objects.filter(person=person, instrument=instrument, completed_at__isnull=True)
    return qs.first()


def selfassessment_latest(*, person) -> SelfAssessment | None:
    """The person's most recently completed self-assessment."""
    return (
        SelfAssessment.objects.filter(person=person, completed_at__isnull=False)
        .select_related("instrument").order_by("-completed_at").first()
    )


@dataclass
class StepView:
    code: str
    title: str
    number: int
    items: list[Item]
    answered: dict[int, str]  # item id → option code

    @property
    def complete(self) -> bool:
        return all(item.pk in self.answered for item in self.items)


def selfassessment_step(*, run: SelfAssessment, step: str) -> StepView | None:
    """One step of a run: its items with options and the answers saved so far (3 queries)."""
    steps = run.instrument.steps
    index = next((i for i, s in enumerate(steps) if s["code"] == step), None)
    if index is None:
        return None
    items = list(
        Item.objects.filter(instrument=run.instrument, step=step)
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("ordering")))
        .order_by("ordering")
    )
    answered = dict(
        SelfAssessmentAnswer.objects.filter(run=run, item__step=step).values_list("item_id", "option__code")
    )
    return StepView(code=step, title=_step_title(steps[index]), number=index + 1, items=items,
                    answered=answered)


def _step_title(step: dict) -> str:
    if (get_language() or "vi").startswith("en") and step.get("title_en"):
        return step["title_en"]
    return step["title_vi"]


def selfassessment_progress(*, run: SelfAssessment) -> dict:
    """Per step: number of items and of answers; the first step not fully answered."""
    totals = dict(
        Item.objects.filter(instrument=run.instrument).values_list("step").annotate(n=Count("id"))
    )
    done = dict(
        SelfAssessmentAnswer.objects.filter(run=run).values_list("item__step").annotate(n=Count("id"))
    )
    steps = [
        {"code": s["code"], "title": _step_title(s), "items": totals.get(s["code"], 0),
         "answered": done.get(s["code"], 0)}
        for s in run.instrument.steps
    ]
    next_step = next((s["code"] for s in steps if s["answered"] < s["items"]), None)
    return {
        "steps": steps, "next_step": next_step,
        "answered": sum(s["answered"] for s in steps), "items": sum(s["items"] for s in steps),
    }


@dataclass
class DerivedLevel:
    """A current level and why: the rule applied, the records that decided it, the
    other records considered, and the records replaced by a correction."""

    level: int | None
    rule: str
    decisive: list[Evidence] = field(default_factory=list)
    considered: list[Evidence] = field(default_factory=list)
    superseded: list[Evidence] = field(default_factory=list)
    self_level: int | None = None  # the latest self-assessed level before the cap

    @property
    def explanation(self) -> str:
        if self.rule == RULE_VERIFIED:
            return _("Bậc cao nhất trong các minh chứng không phải tự đánh giá (bài kiểm tra, khóa học, "
                     "quan sát khi hỗ trợ, cán bộ công nhận); minh chứng là bằng chứng “đã làm được ít nhất "
                     "bậc này”, nên minh chứng bậc thấp hơn không kéo bậc xuống.")
        if self.rule == RULE_SELF_CAPPED:
            return _("Chỉ có tự đánh giá: lần gần nhất cho bậc %(self)s, nhưng tự đánh giá chỉ được tính "
                     "tối đa đến bậc %(cap)s. Bài kiểm tra, khóa học hoặc cán bộ công nhận có thể xác nhận "
                     "bậc cao hơn.") % {"self": self.self_level, "cap": SELF_ASSESSED_CAP}
        if self.rule == RULE_SELF:
            return _("Theo lần tự đánh giá gần nhất (tự đánh giá được tính tối đa đến bậc %(cap)s).") % {
                "cap": SELF_ASSESSED_CAP}
        return _("Chưa có minh chứng nào cho năng lực này.")


def level_derive(*, records: list[Evidence]) -> DerivedLevel:
    """The current level from one person's evidence for one competence.

    Rules: (1) a record that a later record corrects (`supersedes`) is left out;
    (2) verified evidence (any method but self-assessed) counts at its level, the
    highest wins; (3) only the latest self-assessment counts (by date, then time
    recorded), at most at level SELF_ASSESSED_CAP; (4) the current level is the higher
    of (2) and (3); on a tie the verified record decides; (5) no records, no level.
    """
    corrected = {r.supersedes_id for r in records if r.supersedes_id}
    superseded = [r for r in records if r.pk in corrected]
    live = [r for r in records if r.pk not in corrected]
    verified = [r for r in live if r.method != Evidence.Method.SELF_ASSESSED]
    selfs = sorted((r for r in live if r.method == Evidence.Method.SELF_ASSESSED),
                   key=lambda r: (r.date, r.created_at, r.pk), reverse=True)
    best_verified = max((r.level for r in verified), default=None)
    latest_self = selfs[0] if selfs else None
    self_level = min(latest_self.level, SELF_ASSESSED_CAP) if latest_self else None
    if best_verified is None and latest_self is None:
        return DerivedLevel(level=None, rule=RULE_NONE, superseded=superseded)
    if best_verified is not None and (self_level is None or best_verified >= self_level):
        decisive = [r for r in verified if r.level == best_verified]
        rule, level = RULE_VERIFIED, best_verified
    else:
        decisive = [latest_self]
        level = self_level
        rule = RULE_SELF_CAPPED if latest_self.level > SELF_ASSESSED_CAP else RULE_SELF
    considered = [r for r in live if r not in decisive]
    return DerivedLevel(level=level, rule=rule, decisive=decisive, considered=considered,
                        superseded=superseded, self_level=latest_self.level if latest_self else None)


def exact_matches(*, competence_ids) -> dict[int, set[int]]:
    """For each of `competence_ids` (and each competence matched to one of them), the ids
    of the competences the crosswalk says are the same (`exactMatchOf`, read both ways,
    one hop: TT02 1.1 ↔ DigComp 1.1). One query."""
    ids = set(competence_ids)
    matches: dict[int, set[int]] = {}
    if not ids:
        return matches
    rows = CompetenceMapping.objects.filter(relation=CompetenceMapping.Relation.EXACT_MATCH).filter(
        Q(source_id__in=ids) | Q(target_id__in=ids)
    ).values_list("source_id", "target_id")
    for source, target in rows:  # the relation is symmetric: keep both directions
        matches.setdefault(source, set()).add(target)
        matches.setdefault(target, set()).add(source)
    return matches


def _crosswalked(record: Evidence) -> Evidence:
    # A copy that says where it comes from; the record itself is never changed.
    copy = Evidence(**{f.attname: getattr(record, f.attname) for f in Evidence._meta.concrete_fields})
    copy._state.adding, copy._state.db = False, record._state.db
    copy.competence = record.competence
    copy.recorded_by = record.recorded_by if record.recorded_by_id else None
    copy.via = record.competence
    return copy


def crosswalk_records(
    *, by_competence: dict[int, list[Evidence]], matches: dict[int, set[int]], wanted=None
) -> dict[int, list[Evidence]]:
    """Each competence's own records plus the records of its exact matches (marked
    `record.via` = the competence they were recorded against). A matched record from the
    same source (type, id), method and level as an own record is left out: a quiz whose
    questions carry both codes counts once. `wanted`: the competence ids to return
    (default: every id with records, own or matched)."""
    if wanted is None:
        wanted = set(by_competence)
        for cid in list(by_competence):
            wanted |= matches.get(cid, set())
    result: dict[int, list[Evidence]] = {}
    for cid in wanted:
        own = list(by_competence.get(cid, []))
        seen = {(r.source_type, r.source_id, r.method, r.level) for r in own if r.source_type}
        for other in sorted(matches.get(cid, set())):
            for record in by_competence.get(other, []):
                if record.source_type and (record.source_type, record.source_id, record.method,
                                           record.level) in seen:
                    continue
                own.append(_crosswalked(record))
        if own:
            result[cid] = own
    return result


def competence_levels(
    *, person, competences: list[Competence] | None = None, crosswalk: bool = True
) -> dict[int, DerivedLevel]:
    """Derived level per competence id for `person` (two queries: the crosswalk and the
    evidence). With `crosswalk`, evidence recorded against an exact match in another
    framework counts too (docs/competence-scoring.md, "Crosswalk")."""
    qs = (
        Evidence.objects.filter(person=person)
        .select_related("recorded_by", "competence__framework")
        .order_by("-date", "-created_at")
    )
    wanted = None
    matches: dict[int, set[int]] = {}
    if competences is not None:
        wanted = {c.pk for c in competences}
        if crosswalk:
            matches = exact_matches(competence_ids=wanted)
        related = set(wanted).union(*matches.values()) if matches else wanted
        qs = qs.filter(competence_id__in=related)
    records = list(qs)
    if competences is None and crosswalk:
        matches = exact_matches(competence_ids={r.competence_id for r in records})
    by_competence: dict[int, list[Evidence]] = {}
    for record in records:
        by_competence.setdefault(record.competence_id, []).append(record)
    if crosswalk:
        by_competence = crosswalk_records(by_competence=by_competence, matches=matches, wanted=wanted)
    elif wanted is not None:
        by_competence = {cid: recs for cid, recs in by_competence.items() if cid in wanted}
    return {cid: level_derive(records=recs) for cid, recs in by_competence.items()}


@dataclass
class CompetenceRow:
    competence: Competence
    derived: DerivedLevel
    level_info: ProficiencyLevel | None
    required: int | None = None

    @property
    def level(self) -> int | None:
        return self.derived.level

    @property
    def gap(self) -> int:
        if self.required is None:
            return 0
        return max(0, self.required - (self.derived.level or 0))


@dataclass
class AreaRows:
    area: FrameworkArea
    rows: list[CompetenceRow]
    beside: bool = False  # reported beside the DigComp areas (TT02's AI area)


@dataclass
class Gap:
    competence_code: str
    competence_title: str
    required: int
    current: int | None

    @property
    def missing(self) -> int:
        return self.required - (self.current or 0)


@dataclass
class Profile:
    areas: list[AreaRows]
    latest: SelfAssessment | None
    target: TargetProfile | None
    gaps: list[Gap]


BESIDE_AREAS = [("tt02-2025", "6")]  # TT02's AI area, reported beside DigComp's five


def competence_profile(*, person, framework_code: str = "digcomp-2.2",
                       target: TargetProfile | None = None) -> Profile:
    """A person's profile: per area, each competence with its derived level and why,
    the required level of `target` when given, and the gaps (a fixed number of queries)."""
    frameworks = [framework_code, *[fw for fw, _a in BESIDE_AREAS]]
    competences = list(
        Competence.objects.filter(framework__code__in=frameworks)
        .select_related("framework", "area").order_by("framework__code", "area__ordering", "ordering", "code")
    )
    beside_keys = set(BESIDE_AREAS)
    competences = [c for c in competences
                   if c.framework.code == framework_code or (c.framework.code, c.area.code) in beside_keys]
    derived = competence_levels(person=person, competences=competences)
    levels = {(lv.framework_id, lv.ordinal): lv for lv in ProficiencyLevel.objects.filter(
        framework__code__in=frameworks)}
    required = {}
    if target is not None:
        required = dict(TargetLevel.objects.filter(target=target).values_list("competence_id", "level"))
    areas: dict[int, AreaRows] = {}
    for competence in competences:
        d = derived.get(competence.pk) or DerivedLevel(level=None, rule=RULE_NONE)
        row = CompetenceRow(
            competence=competence, derived=d,
            level_info=levels.get((competence.framework_id, d.level)) if d.level else None,
            required=required.get(competence.pk),
        )
        group = areas.setdefault(competence.area_id, AreaRows(
            area=competence.area, rows=[], beside=competence.framework.code != framework_code))
        group.rows.append(row)
    gaps = [
        Gap(competence_code=row.competence.qualified_code, competence_title=row.competence.title,
            required=row.required, current=row.level)
        for group in areas.values() for row in group.rows if row.gap > 0
    ]
    return Profile(areas=list(areas.values()), latest=selfassessment_latest(person=person),
                   target=target, gaps=gaps)


def profile_gaps(*, person, target: TargetProfile) -> list[Gap]:
    """Competences of `target` where the person's current level is below the required one."""
    competences = list(Competence.objects.filter(
        pk__in=TargetLevel.objects.filter(target=target).values("competence")).select_related("framework"))
    derived = competence_levels(person=person, competences=competences)
    required = dict(TargetLevel.objects.filter(target=target).values_list("competence_id", "level"))
    gaps = []
    for competence in competences:
        current = derived[competence.pk].level if competence.pk in derived else None
        if (current or 0) < required[competence.pk]:
            gaps.append(Gap(competence_code=competence.qualified_code, competence_title=competence.title,
                            required=required[competence.pk], current=current))
    return gaps


# --- Staff: who may record evidence for whom -----------------------------------------------

STAFF_NATIONWIDE_ROLES = (Role.CONTENT_EDITOR, Role.PLATFORM_ADMIN)


def evidence_staff_scope(*, staff, on=None) -> str:
    """"all" for superusers, content editors and platform administrators; "agencies"
    for training managers (the people of agencies_visible_to); "" for anybody else."""
    if not getattr(staff, "is_authenticated", False):
        return ""
    if staff.is_superuser:
        return "all"
    roles = set(roles_active_for(user=staff, on=on).values_list("role", flat=True))
    if roles & set(STAFF_NATIONWIDE_ROLES):
        return "all"
    if Role.TRAINING_MANAGER in roles:
        return "agencies"
    return ""


def evidence_people_for_staff(*, staff, query: str = "", on=None) -> QuerySet:
    """People `staff` may record evidence for, by name, e-mail or phone containing
    `query`, sorted by name: everybody for "all"; for training managers, those holding
    a civil-servant or training-manager role today in an agency agencies_visible_to
    returns; nobody otherwise. Anonymised accounts and `staff` themselves are left out."""
    scope = evidence_staff_scope(staff=staff, on=on)
    people = get_user_model().objects.filter(is_active=True, anonymised_at__isnull=True).exclude(pk=staff.pk)
    if scope == "agencies":
        members = RoleAssignment.objects.active_on(on or timezone.localdate()).filter(
            role__in=list(AGENCY_ROLES), agency__in=agencies_visible_to(user=staff, on=on)
        )
        people = people.filter(pk__in=members.values("user_id"))
    elif scope != "all":
        return people.none()
    query = (query or "").strip()
    if query:
        people = people.filter(
            Q(full_name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
        )
    return people.order_by("full_name", "pk")


def evidence_staff_may_record(*, staff, person, on=None) -> bool:
    return evidence_people_for_staff(staff=staff, on=on).filter(pk=person.pk).exists()


def evidence_of_person(*, person) -> list[Evidence]:
    """Every evidence record of `person`, newest first, with competence, who recorded
    it and what it corrects (one query)."""
    return list(
        Evidence.objects.filter(person=person)
        .select_related("competence__framework", "recorded_by", "supersedes")
        .prefetch_related("corrections")
        .order_by("competence__framework__code", "competence__area__ordering", "competence__ordering",
                  "-date", "-created_at")
    )


def target_profiles() -> QuerySet[TargetProfile]:
    return TargetProfile.objects.select_related("framework").order_by("-year", "name")
