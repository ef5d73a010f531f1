"""Figures recorded against pre-2025 communes, re-attributed through the successions."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from community_teams.indicators.models import Level, Rollup
from community_teams.indicators.services import recorded_figure_add, rollups_rebuild, rollups_refresh_villages
from lms.places.models import LEGACY_EDITION, UnitSuccession
from lms.places.services import unit_create
from tests.indicators.conftest import TODAY

REFORM = datetime.date(2025, 7, 1)


@pytest.fixture
def legacy(world):
    old_province = unit_create(name="Tỉnh Cũ", level="province", code="L1", edition=LEGACY_EDITION)
    old = {
        name: unit_create(
            name=name, level="commune", parent=old_province, code=f"9{n}", edition=LEGACY_EDITION
        )
        for n, name in enumerate(
            ["Xã Toàn Bộ", "Xã Chia Đôi", "Xã Toàn Dân", "Xã Biết Thôn", "Xã Không Kế Thừa"]
        )
    }
    c1, c2 = world["communes"]

    def succ(name, new, kind, note=""):
        UnitSuccession.objects.create(
            predecessor=old[name], successor=new, kind=kind, note=note, effective_date=REFORM
        )

    succ("Xã Toàn Bộ", c1, "whole")
    succ("Xã Chia Đôi", c1, "partial")
    succ("Xã Chia Đôi", c2, "partial")
    succ("Xã Toàn Dân", c2, "partial", UnitSuccession.NOTE_PART_LAND_ALL_PEOPLE)
    succ("Xã Toàn Dân", c1, "partial", UnitSuccession.NOTE_PART_PEOPLE)
    succ("Xã Biết Thôn", c1, "partial")
    succ("Xã Biết Thôn", c2, "partial")
    return old


def _add(old, num, den, village=None, period="2024"):
    return recorded_figure_add(
        legacy_commune=old,
        village=village,
        indicator="smartphone",
        period=period,
        numerator=num,
        denominator=den,
        source="Báo cáo 2024",
    )


def _get(level, unit, period="2024"):
    qs = Rollup.objects.filter(level=level, indicator="smartphone", period=period)
    qs = qs.filter(unit__isnull=True) if unit is None else qs.filter(unit=unit)
    r = qs.first()
    return (r.numerator, r.denominator) if r else None


def test_reattribution_whole_partial_villages_and_legacy(world, legacy, settings):
    settings.INDICATORS_FIRST_MONTH = "2026-06"
    c1, c2 = world["communes"]
    va, _vb, vc = world["villages"]
    _add(legacy["Xã Toàn Bộ"], 10, 100)  # whole → c1
    _add(legacy["Xã Chia Đôi"], 20, 200)  # partial, no villages → legacy series
    _add(legacy["Xã Toàn Dân"], 30, 300)  # part of the land, all the people → c2
    _add(legacy["Xã Biết Thôn"], 40, 400)  # partial: villages A (c1) and C (c2) known …
    _add(legacy["Xã Biết Thôn"], 5, 50, village=va)
    _add(legacy["Xã Biết Thôn"], 7, 70, village=vc)  # … the rest (28/280) → legacy series
    _add(legacy["Xã Không Kế Thừa"], 1, 10)  # no successor: legacy, at national level only
    rollups_rebuild(today=TODAY)

    assert _get(Level.VILLAGE, va) == (5, 50)
    assert _get(Level.VILLAGE, vc) == (7, 70)
    assert _get(Level.COMMUNE, c1) == (10 + 5, 100 + 50)
    assert _get(Level.COMMUNE, c2) == (30 + 7, 300 + 70)
    assert _get(Level.LEGACY, legacy["Xã Chia Đôi"]) == (20, 200)
    assert _get(Level.LEGACY, legacy["Xã Biết Thôn"]) == (28, 280)
    assert (
        Rollup.objects.get(level=Level.LEGACY, unit=legacy["Xã Chia Đôi"]).province_id == world["province"].pk
    )
    assert Rollup.objects.get(level=Level.LEGACY, unit=legacy["Xã Không Kế Thừa"]).province_id is None
    # Never counted twice: the province and the nation equal what was recorded.
    assert _get(Level.PROVINCE, world["province"]) == (10 + 20 + 30 + 40, 100 + 200 + 300 + 400)
    assert _get(Level.NATION, None) == (101, 1010)
    # A village refresh keeps what was attributed to it.
    rollups_refresh_villages(village_ids=[va.pk], today=TODAY)
    assert _get(Level.COMMUNE, c1) == (15, 150)
    assert _get(Level.NATION, None) == (101, 1010)


def test_recorded_figures_are_checked(world, legacy):
    with pytest.raises(ValidationError):
        _add(world["communes"][0], 1, 10)  # a current commune
    with pytest.raises(ValidationError):
        _add(legacy["Xã Toàn Bộ"], 1, 10, period="2025-08")  # after the reform
    with pytest.raises(ValidationError):
        _add(legacy["Xã Toàn Bộ"], 11, 10)
