"""JSON API for administrative units, mounted at /api/v1/places (see lms/api.py)."""

import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from . import selectors
from .models import AdministrativeUnit

router = Router(tags=["places"])

# A literal, not AdministrativeUnit.Level: the OpenAPI components are named after the
# class, and another app's "Level" (a course's level) took its place in the document.
UnitLevel = Literal["province", "district", "commune", "village"]


class UnitBrief(Schema):
    id: int
    code: str
    name: str
    level: str
    edition: str


class UnitOut(Schema):
    id: int
    edition: str
    code: str
    name: str
    division_type: str
    level: UnitLevel
    parent_id: int | None
    path: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class UnitFilters(Schema):
    q: str = Field("", max_length=100, description="Tên, không phân biệt dấu: “da nang” tìm được “Đà Nẵng”.")
    level: UnitLevel | None = None
    parent: int | None = Field(None, description="id của đơn vị cha")
    edition: str | None = Field(None, max_length=16, description="2025-07 hoặc pre-2025-07")


class SuccessionOut(Schema):
    id: int
    kind: str
    note: str
    effective_date: datetime.date
    source_new_code: str
    is_flagged: bool
    flag_reason: str
    predecessor: UnitBrief
    predecessor_parent_name: str | None = None
    predecessor_province_name: str | None = None
    successor: UnitBrief
    successor_province_name: str | None = None

    @staticmethod
    def resolve_predecessor_parent_name(obj) -> str | None:
        return obj.predecessor.parent.name if obj.predecessor.parent_id else None

    @staticmethod
    def resolve_predecessor_province_name(obj) -> str | None:
        parent = obj.predecessor.parent if obj.predecessor.parent_id else None
        if parent is None:
            return None
        return parent.parent.name if parent.parent_id else parent.name

    @staticmethod
    def resolve_successor_province_name(obj) -> str | None:
        return obj.successor.parent.name if obj.successor.parent_id else None


class SuccessionQuery(Schema):
    q: str = Field(..., min_length=1, max_length=100, description="Tên xã, phường cũ, có dấu hoặc không.")
    include_new_names: bool = True


@router.get("/units", response=list[UnitOut], summary="Danh sách đơn vị hành chính")
@paginate(PageNumberPagination, page_size=50)
def units_list(request, filters: Query[UnitFilters]):
    return selectors.units_search(
        q=filters.q, level=filters.level, parent_id=filters.parent, edition=filters.edition
    )


@router.get("/units/{unit_id}", response=UnitOut, summary="Một đơn vị hành chính")
def unit_detail(request, unit_id: int):
    return get_object_or_404(AdministrativeUnit, pk=unit_id)


@router.get("/successions", response=list[SuccessionOut], summary="Xã, phường cũ nay thuộc đâu")
@paginate(PageNumberPagination, page_size=20)
def successions_lookup(request, filters: Query[SuccessionQuery]):
    return selectors.successions_search(q=filters.q, include_new_names=filters.include_new_names)
