"""Courses recommended for competence gaps (registered with assessments.recommendations).

assessments must not import courses, so courses offers itself as a provider at start-up.
"""

from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import gettext as _

from .models import CoursePage
from .selectors import public_only

LIMIT = 5


def courses_for_gaps(*, person, gaps: list) -> list[dict]:
    """Live, public courses that build at least one missing competence, those covering the
    most gaps first (then the shortest). One query."""
    codes = {gap.competence_code for gap in gaps}
    if not codes:
        return []
    candidates = (
        public_only(CoursePage.objects.live())
        .filter(reduce(or_, (Q(competences__contains=code) for code in sorted(codes))))
        .only("id", "title", "url_path", "competences", "duration_minutes")
    )
    ranked = []
    for course in candidates:
        covered = sorted(codes & {line.strip() for line in course.competences.splitlines()})
        if covered:
            ranked.append((-len(covered), course.duration_minutes or 0, course.title, course, covered))
    ranked.sort(key=lambda row: row[:3])
    return [
        {
            "title": course.title,
            "url": course.url,
            "reason": _("Rèn luyện %(n)s năng lực còn thiếu") % {"n": len(covered)},
            "competence_codes": covered,
        }
        for _rank, _minutes, _title, course, covered in ranked[:LIMIT]
    ]
