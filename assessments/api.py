"""JSON API of competence frameworks; lms.api mounts `router` at /api/v1/.

Reading is public (like the browsing page): the list, one framework's outline, and its
IMS CASE 1.0 package. Importing a package (POST /frameworks with the package as
the body) needs a staff account allowed to add frameworks.
"""

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from lms.core.api import ErrorOut
from lms.core.auth import default_auth

from . import selectors
from .case import framework_case_export, framework_case_import
from .models import Item, SelfAssessmentAnswer, TargetProfile
from .services import selfassessment_answers_save, selfassessment_complete, selfassessment_start

router = Router(tags=["frameworks"])


class FrameworkOut(Schema):
    id: int
    code: str
    version: str
    title_vi: str
    title_en: str
    publisher: str
    source: str
    status: str
    area_count: int = 0
    competence_count: int = 0


class LevelOut(Schema):
    ordinal: int
    code: str
    band_vi: str
    band_en: str
    descriptor_vi: str
    descriptor_en: str


class IndicatorOut(Schema):
    code: str
    title_vi: str
    title_en: str
    level: int | None = Field(None, description="bậc trình độ")

    @staticmethod
    def resolve_level(obj) -> int | None:
        return obj.level.ordinal if obj.level_id else None


class MatchOut(Schema):
    relation: str
    competence: str = Field(..., description="mã năng lực đầy đủ, ví dụ digcomp-2.2:1.1")


class CompetenceOut(Schema):
    code: str
    qualified_code: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    indicators: list[IndicatorOut]
    matches: list[MatchOut]

    @staticmethod
    def resolve_indicators(obj) -> list:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_matches(obj) -> list[dict]:
        out = [{"relation": m.relation, "competence": m.target.qualified_code}
               for m in obj.mappings_out.all()]
        out += [{"relation": m.relation, "competence": m.source.qualified_code}
                for m in obj.mappings_in.all()]
        return out


class AreaOut(Schema):
    code: str
    title_vi: str
    title_en: str
    competences: list[CompetenceOut]


class FrameworkDetailOut(FrameworkOut):
    areas: list[AreaOut]
    levels: list[LevelOut]


class CaseQuery(Schema):
    lang: Literal["vi", "en"] = Field("vi", description="ngôn ngữ của fullStatement")


class ImportQuery(Schema):
    code: str = Field("", max_length=64, description="mã khung khi nhập (mặc định: mã trong gói)")
    dry_run: bool = False


class ProblemOut(Schema):
    where: str
    identifier: str
    reason: str


class ImportOut(Schema):
    ok: bool
    dry_run: bool
    framework_code: str
    created: dict[str, int]
    changed: dict[str, int]
    unchanged: dict[str, int]
    rejected: list[ProblemOut]
    notes: list[str]


def _framework(ref: str):
    framework = selectors.framework_by_ref(ref=ref)
    if framework is None:
        raise Http404
    return framework


@router.get("/frameworks", response=list[FrameworkOut], auth=None, summary="Các khung năng lực")
def frameworks_list(request: HttpRequest):
    return list(selectors.frameworks_public())


@router.get("/frameworks/{framework_id}", response=FrameworkDetailOut, auth=None,
            summary="Một khung năng lực: miền, năng lực, chỉ báo, trình độ")
def framework_detail(request: HttpRequest, framework_id: str):
    framework = _framework(framework_id)
    outline = selectors.framework_outline(framework=framework)
    data = FrameworkOut.from_orm(framework).dict()
    data["area_count"] = len(outline.areas)
    data["competence_count"] = sum(len(a.competences) for a in outline.areas)
    data["areas"] = [
        {"code": a.area.code, "title_vi": a.area.title_vi, "title_en": a.area.title_en,
         "competences": a.competences}
        for a in outline.areas
    ]
    data["levels"] = outline.levels
    return data


@router.get("/frameworks/{framework_id}/case", response=dict[str, Any], auth=None, url_name="framework_case",
            summary="Gói IMS CASE 1.0 của khung năng lực")
def framework_case(request: HttpRequest, framework_id: str, query: Query[CaseQuery]):
    return framework_case_export(framework=_framework(framework_id), language=query.lang)


# 400 is either the import's report (a package refused) or the API's error body (a body
# that is not JSON, lms.core.errors): both are documented, as schemathesis found.
@router.post("/frameworks", response={200: ImportOut, 400: ImportOut | ErrorOut}, auth=default_auth,
             summary="Nhập một gói IMS CASE 1.0 (tất cả hoặc không gì)")
def framework_case_upload(request: HttpRequest, package: Body[dict[str, Any]], query: Query[ImportQuery]):
    user = request.user
    if not (user.is_staff and user.has_perm("assessments.add_framework")):
        raise HttpError(403, _("Bạn không có quyền nhập khung năng lực."))
    report = framework_case_import(package=package, code=query.code, dry_run=query.dry_run)
    body = {
        "ok": report.ok, "dry_run": report.dry_run, "framework_code": report.framework_code,
        "created": dict(report.created), "changed": dict(report.changed), "unchanged": dict(report.unchanged),
        "rejected": [
            {"where": p.where, "identifier": p.identifier, "reason": p.reason} for p in report.rejected
        ],
        "notes": report.notes,
    }
    return Status(200 if report.ok else 400, body)


# --- Self-assessment and the competence profile (the signed-in person's own) -------------

class ScaleOptionOut(Schema):
    code: str
    text_vi: str
    text_en: str


class ItemOut(Schema):
    code: str
    step: str
    kind: str
    competence: str
    level: int
    text_vi: str
    text_en: str
    options: list[ScaleOptionOut]  # never says which option is right


class StepProgressOut(Schema):
    code: str
    title: str
    items: int
    answered: int


class SelfAssessmentOut(Schema):
    code: str
    version: str
    title_vi: str
    title_en: str
    steps: list[dict[str, Any]]
    items: list[ItemOut]
    run_id: int | None = None
    progress: list[StepProgressOut] = []
    answers: dict[str, str] = Field(default_factory=dict, description="mã câu → mã lựa chọn đã lưu")
    next_step: str | None = None


class StepAnswersIn(Schema):
    answers: dict[str, str] = Field(..., description="mã câu → mã lựa chọn")


class StepSavedOut(Schema):
    run_id: int
    step: str
    missing: list[str]
    next_step: str | None


class CompletedOut(Schema):
    run_id: int
    result: dict[str, Any]


class EvidenceOut(Schema):
    id: int
    method: str
    level: int
    date: str
    source_type: str
    source_id: str
    source_label: str
    note: str
    supersedes: int | None
    url: str = ""
    label: str = Field("", description="Nguồn, bằng ngôn ngữ của người đọc (source_label lưu tiếng Việt).")
    recorded_by: str | None = Field(None, description="Tên người ghi nhận (minh chứng do cán bộ ghi).")
    via: str | None = Field(
        None, description="Ghi cho năng lực tương đương ở khung khác (exactMatch), ví dụ tt02-2025:1.1."
    )


class CompetenceLevelOut(Schema):
    competence: str
    title: str
    area: str
    level: int | None
    required: int | None
    rule: str
    explanation: str
    decisive: list[EvidenceOut]
    considered: list[EvidenceOut]
    superseded: list[EvidenceOut]


class ProfileOut(Schema):
    competences: list[CompetenceLevelOut]
    latest_result: dict[str, Any] | None
    target: str | None
    gaps: list[dict[str, Any]]


def _instrument():
    instrument = selectors.instrument_current()
    if instrument is None:
        raise HttpError(404, _("Chưa có bộ công cụ tự đánh giá."))
    return instrument


@router.get("/self-assessment", response=SelfAssessmentOut, summary="Bộ câu hỏi tự đánh giá và bài đang làm")
def selfassessment_get(request: HttpRequest):
    instrument = _instrument()
    items = (
        Item.objects.filter(instrument=instrument).select_related("competence__framework")
        .prefetch_related("options").order_by("ordering")
    )
    data = {
        "code": instrument.code, "version": instrument.version, "title_vi": instrument.title_vi,
        "title_en": instrument.title_en, "steps": instrument.steps,
        "items": [
            {"code": i.code, "step": i.step, "kind": i.kind, "competence": i.competence.qualified_code,
             "level": i.level, "text_vi": i.text_vi, "text_en": i.text_en,
             "options": [{"code": o.code, "text_vi": o.text_vi, "text_en": o.text_en}
                         for o in i.options.all()]}
            for i in items
        ],
    }
    run = selectors.selfassessment_open(person=request.user, instrument=instrument)
    if run is not None:
        progress = selectors.selfassessment_progress(run=run)
        data.update(
            run_id=run.pk, progress=progress["steps"], next_step=progress["next_step"],
            answers=dict(
                SelfAssessmentAnswer.objects.filter(run=run).values_list("item__code", "option__code")
            ),
        )
    return data


@router.post("/self-assessment/steps/{step}", response=StepSavedOut, summary="Lưu câu trả lời của một bước")
def selfassessment_step_save(request: HttpRequest, step: str, payload: StepAnswersIn):
    run = selfassessment_start(person=request.user, instrument=_instrument())
    try:
        missing = selfassessment_answers_save(run=run, step=step, answers=payload.answers)
    except ValidationError as exc:
        raise HttpError(400, " ".join(exc.messages)) from exc
    return {"run_id": run.pk, "step": step, "missing": missing,
            "next_step": selectors.selfassessment_progress(run=run)["next_step"]}


@router.post("/self-assessment/complete", response=CompletedOut, summary="Hoàn thành tự đánh giá")
def selfassessment_complete_api(request: HttpRequest):
    run = selectors.selfassessment_open(person=request.user, instrument=_instrument())
    if run is None:
        raise HttpError(409, _("Không có lượt tự đánh giá đang làm."))
    try:
        run = selfassessment_complete(run=run)
    except ValidationError as exc:
        raise HttpError(400, " ".join(exc.messages)) from exc
    return {"run_id": run.pk, "result": run.result}


def _evidence(e) -> dict:
    return {"id": e.pk, "method": e.method, "level": e.level, "date": e.date.isoformat(),
            "source_type": e.source_type, "source_id": e.source_id, "source_label": e.source_label,
            "note": e.note, "supersedes": e.supersedes_id, "url": e.url, "label": e.display_label,
            "recorded_by": e.recorded_by.display_name if e.recorded_by_id and e.recorded_by else None,
            "via": e.via.qualified_code if getattr(e, "via", None) else None}


class ProfileQuery(Schema):
    target: str = Field("", max_length=64, description="mã hồ sơ năng lực yêu cầu")


@router.get("/profile", response=ProfileOut, summary="Hồ sơ năng lực của tôi, kèm lý do từng bậc")
def profile_get(request: HttpRequest, query: Query[ProfileQuery]):
    target = None
    if query.target:
        target = TargetProfile.objects.filter(code=query.target).first()
        if target is None:
            raise HttpError(404, _("Không có hồ sơ yêu cầu “%(code)s”.") % {"code": query.target})
    profile = selectors.competence_profile(person=request.user, target=target)
    rows = []
    for group in profile.areas:
        for row in group.rows:
            d = row.derived
            rows.append({
                "competence": row.competence.qualified_code, "title": row.competence.title,
                "area": f"{row.competence.framework.code}:{group.area.code}", "level": d.level,
                "required": row.required, "rule": d.rule, "explanation": d.explanation,
                "decisive": [_evidence(e) for e in d.decisive],
                "considered": [_evidence(e) for e in d.considered],
                "superseded": [_evidence(e) for e in d.superseded],
            })
    return {
        "competences": rows, "latest_result": profile.latest.result if profile.latest else None,
        "target": target.code if target else None,
        "gaps": [{"competence": g.competence_code, "required": g.required, "current": g.current,
                  "missing": g.missing} for g in profile.gaps],
    }
