"""Reporting periods: month "2025-07", quarter "2025-Q3", year "2025".

A period ends at the end of its last local day (Asia/Ho_Chi_Minh); ages are computed
from birth year at the end of the period.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

_RE = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    end: datetime.date
    key: str
    kind: str  # month | quarter | year

    @property
    def year(self) -> int:
        return self.end.year


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_parse(key: str) -> Period | None:
    m = _RE.match(key or "")
    if not m:
        return None
    year = int(m.group(1))
    if not 2000 <= year <= 2100:
        return None
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            return None
        return Period(datetime.date(year, month, 1), _month_end(year, month), key, "month")
    if m.group(3):
        q = int(m.group(3))
        return Period(datetime.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), key, "quarter")
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), key, "year")


def month_key(day: datetime.date) -> str:
    return f"{day.year}-{day.month:02d}"


def periods_between(first: datetime.date, last: datetime.date) -> list[Period]:
    """Every month, quarter and year touching [first, last], ordered by end date."""
    result: dict[str, Period] = {}
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        for key in (f"{y}-{m:02d}", f"{y}-Q{(m - 1) // 3 + 1}", f"{y}"):
            result.setdefault(key, period_parse(key))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return sorted(result.values(), key=lambda p: (p.end, p.start))


def first_month() -> datetime.date:
    """The first month the rollups cover: INDICATORS_FIRST_MONTH ("YYYY-MM") or January
    of last year."""
    configured = getattr(settings, "INDICATORS_FIRST_MONTH", "")
    if configured:
        p = period_parse(configured)
        if p:
            return p.start
    return datetime.date(timezone.localdate().year - 1, 1, 1)


def periods_covered(*, today: datetime.date | None = None) -> list[Period]:
    today = today or timezone.localdate()
    return periods_between(first_month(), today)


def months_of_year(year: int, *, today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    last = 12 if year < today.year else today.month
    return [f"{year}-{m:02d}" for m in range(1, last + 1)] if year <= today.year else []
