"""JSON API of indicator figures. Mounted at /api/v1/indicators (lms/api.py).

Same selector as the dashboards (rollups only); a unit outside the caller's scope is a
JSON 404, exactly like one that does not exist; the nation is for national officers."""

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from .models import IndicatorDefinition
from .periods import period_parse
from .selectors import dashboard_units_for, indicator_dashboard, unit_for_viewer

router = Router(tags=["indicators"])


class DefinitionOut(Schema):
    code: str
    level: str
    name_vi: str
    name_en: str
    numerator: str
    denominator: str
    min_age: int | None
    max_age: int | None
    target_code: str


class FigureOut(Schema):
    key: str
    name: str
    numerator: int
    denominator: int
    percent: Decimal | None
    legacy: bool = False


class TargetOut(Schema):
    percent: Decimal
    year: int
    source: str
    status: str
    warning: str


class DashboardOut(Schema):
    unit_id: int | None
    unit_name: str
    indicator: str
    period: str
    numerator: int
    denominator: int
    percent: Decimal | None
    computed_at: datetime.datetime | None
    target: TargetOut | None
    trend: list[FigureOut]
    children: list[FigureOut]


class FigureQuery(Schema):
    indicator: str
    period: str
    unit: int | None = None


@router.get("/", response=list[DefinitionOut], summary="Danh mục chỉ số")
def definitions(request: HttpRequest):
    return [
        {
            **{f: getattr(d, f) for f in DefinitionOut.model_fields if f != "target_code"},
            "target_code": d.target_code,
        }
        for d in IndicatorDefinition.objects.filter(active=True)
    ]


@router.get(
    "/figures", response=DashboardOut, summary="Số liệu một chỉ số của một đơn vị (bỏ trống: toàn quốc)"
)
def figures(request: HttpRequest, q: Query[FigureQuery]):
    period = period_parse(q.period)
    if period is None:
        raise HttpError(422, _("Kỳ không hợp lệ: dùng dạng 2025, 2025-Q3 hoặc 2025-07."))
    definitions = list(IndicatorDefinition.objects.filter(active=True))
    indicator = next((d for d in definitions if d.code == q.indicator), None)
    if indicator is None:
        raise Http404(_("Không có chỉ số này."))
    if q.unit is None:
        if not dashboard_units_for(user=request.user)[0]:
            raise Http404(_("Không tìm thấy đơn vị trong phạm vi của bạn."))
        unit = None
    else:
        unit = unit_for_viewer(user=request.user, unit_id=q.unit)
        if unit is None or unit.level not in ("province", "commune", "village"):
            raise Http404(_("Không tìm thấy đơn vị trong phạm vi của bạn."))
    board = indicator_dashboard(unit=unit, indicator=indicator, period=period, definitions=definitions)

    def fig(f):
        return {
            "key": f.key,
            "name": f.label,
            "numerator": f.numerator,
            "denominator": f.denominator,
            "percent": f.percent,
            "legacy": f.legacy,
        }

    t = board.target
    return {
        "unit_id": unit.pk if unit else None,
        "unit_name": unit.name if unit else _("Toàn quốc"),
        "indicator": indicator.code,
        "period": period.key,
        "numerator": board.figure.numerator,
        "denominator": board.figure.denominator,
        "percent": board.figure.percent,
        "computed_at": board.computed_at,
        "target": {
            "percent": t.percent,
            "year": t.year,
            "source": t.source,
            "status": t.status,
            "warning": t.warning,
        }
        if t
        else None,
        "trend": [fig(f) for f in board.trend],
        "children": [fig(f) for f in board.children],
    }
