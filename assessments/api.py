"""JSON API of competence frameworks; lms.api mounts `router` at /api/v1/.

Reading is public (like the browsing page): the list, one framework's outline, and its
IMS CASE 1.0 package. Importing a package (POST /frameworks with the package as
the body) needs a staff account allowed to add frameworks.
"""

from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from lms.core.auth import default_auth

from . import selectors
from .case import framework_case_export, framework_case_import

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


@router.post("/frameworks", response={200: ImportOut, 400: ImportOut}, auth=default_auth,
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
