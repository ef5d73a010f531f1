"""Weakest competences and the DTI evidence against a hand-counted fixture."""

import datetime

import pytest

from assessments.loading import frameworks_load
from assessments.services import evidence_record
from courses.compliance.selectors import compliance_for_agency, dti_evidence_for_agency
from courses.compliance.services import rollups_rebuild
from courses.training.services import position_create, position_target_set
from tests.factories import UserFactory

from .conftest import assignment_row, plan_row, vn

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def assessed(tree):
    """2025. Chuyên viên requires 1.1 ≥ 2, 1.2 ≥ 2, 2.1 ≥ 3; Trưởng phòng requires 2.1 ≥ 2.
    p1 (cv) meets all; p2 (cv) has 1.1 at 1 only; p3 (cv) meets 1.1 and 1.2 but not 2.1;
    p4 (tp, in Phòng B) meets 2.1; p5 (cv) is exempt and counts nowhere."""
    frameworks_load()
    cv = position_create(agency=tree["so"], code="cv", name="Chuyên viên")
    tp = position_create(agency=tree["so"], code="tp", name="Trưởng phòng")
    position_target_set(position=cv, year=2025,
                        levels={"digcomp-2.2:1.1": 2, "digcomp-2.2:1.2": 2, "digcomp-2.2:2.1": 3})
    position_target_set(position=tp, year=2025, levels={"digcomp-2.2:2.1": 2})
    # Next year's version must not change 2025's figures.
    position_target_set(position=cv, year=2026, levels={"digcomp-2.2:1.1": 6})
    plan = plan_row(agency=tree["so"], deadline=D(2025, 12, 31))
    p = {i: UserFactory() for i in range(1, 6)}
    for i in (1, 2, 3, 5):
        assignment_row(plan, p[i], tree["a"], position=cv, status="exempt" if i == 5 else "in_progress")
    assignment_row(plan, p[4], tree["b"], position=tp, status="completed", completed_at=vn(2025, 5, 1, 8, 0))

    def ev(person, code, level, method="quiz"):
        evidence_record(person=person, competence_code=f"digcomp-2.2:{code}", level=level, method=method,
                        date=D(2025, 4, 1))

    ev(p[1], "1.1", 3)
    ev(p[1], "1.2", 2)
    ev(p[1], "2.1", 3)
    ev(p[2], "1.1", 1)
    ev(p[3], "1.1", 2)
    ev(p[3], "1.2", 2, method="self_assessed")
    ev(p[3], "2.1", 2)
    ev(p[4], "2.1", 2)
    ev(p[5], "1.1", 0)
    return {"plan": plan, **tree}


def test_weakest_competences(assessed):
    rollups_rebuild(now=vn(2026, 1, 5))
    weakest = compliance_for_agency(agency=assessed["so"], year=2025, now=vn(2026, 1, 5)).weakest
    assert [(w.code, w.with_target, w.below, w.below_percent) for w in weakest] == [
        ("digcomp-2.2:2.1", 4, 2, 50),
        ("digcomp-2.2:1.1", 3, 1, 33),
        ("digcomp-2.2:1.2", 3, 1, 33),
    ]
    only_b = compliance_for_agency(agency=assessed["b"], year=2025, now=vn(2026, 1, 5)).weakest
    assert [(w.code, w.with_target, w.below) for w in only_b] == [("digcomp-2.2:2.1", 1, 0)]


def test_dti_evidence_per_area(assessed):
    rollups_rebuild(now=vn(2026, 1, 5))
    report = dti_evidence_for_agency(agency=assessed["so"], year=2025, now=vn(2026, 1, 5))
    assert (report.staff, report.trained) == (4, 1)
    areas = {(a.framework, a.code): (a.with_target, a.at_level, a.percent) for a in report.areas}
    assert areas == {("digcomp-2.2", "1"): (3, 2, 67), ("digcomp-2.2", "2"): (4, 2, 50)}
    assert (report.date_from, report.date_to) == (D(2025, 1, 1), D(2025, 12, 31))
