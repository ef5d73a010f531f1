"""Demo evidence: idempotent, gives the demo learner a profile and the civil servant gaps."""

import pytest

from assessments.demo import (
    DEMO_TARGET_CODE,
    demo_evidence_create,
    demo_frameworks_load,
    demo_selfassessment_load,
)
from assessments.models import Evidence, Instrument, TargetProfile
from assessments.selectors import profile_gaps
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_evidence_is_idempotent_and_shows_gaps():
    demo_frameworks_load()
    demo_selfassessment_load()
    demo_selfassessment_load()
    assert Instrument.objects.count() == 1
    learner, servant = UserFactory(username="demo-hocvien"), UserFactory(username="demo-congchuc")
    first = demo_evidence_create(users=[learner, servant])
    assert first == 9 and demo_evidence_create(users=[learner, servant]) == 0
    assert Evidence.objects.filter(person=learner).count() == 5
    target = TargetProfile.objects.get(code=DEMO_TARGET_CODE)
    gaps = {g.competence_code for g in profile_gaps(person=servant, target=target)}
    assert "digcomp-2.2:4.2" in gaps and "digcomp-2.2:2.3" not in gaps
