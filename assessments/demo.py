"""Demo data for assessments: the shipped competence frameworks, through the same loader;
the self-assessment instrument; a target profile and evidence for the demo learner and
civil servant, so their profiles and gaps show something."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from .loading import LoadReport, frameworks_load
from .models import Competence, Evidence, Framework, TargetLevel, TargetProfile
from .selfassessment_loading import selfassessment_load
from .services import evidence_record

DEMO_TARGET_CODE = "cong-chuc-toi-thieu-2025"
DEMO_TARGET_LEVELS = {
    "1.1": 3,
    "1.2": 3,
    "2.1": 3,
    "2.3": 3,
    "2.6": 3,
    "3.1": 3,
    "4.1": 3,
    "4.2": 4,
    "5.2": 3,
}
# (username, competence, level, method, days ago, source label)
DEMO_EVIDENCE = [
    ("demo-hocvien", "1.1", 2, "self_assessed", 30, "Tự đánh giá năng lực số (phiên bản 1)"),
    ("demo-hocvien", "2.1", 3, "self_assessed", 30, "Tự đánh giá năng lực số (phiên bản 1)"),
    ("demo-hocvien", "4.2", 2, "self_assessed", 30, "Tự đánh giá năng lực số (phiên bản 1)"),
    ("demo-hocvien", "4.2", 3, "quiz", 10, "Bài kiểm tra: An toàn khi dùng mạng"),
    ("demo-hocvien", "2.6", 2, "observed_visit", 20, "Tổ công nghệ số cộng đồng: cài đặt VNeID"),
    ("demo-congchuc", "1.1", 3, "self_assessed", 40, "Tự đánh giá năng lực số (phiên bản 1)"),
    ("demo-congchuc", "2.3", 4, "course_completed", 15, "Khóa học: Dịch vụ công trực tuyến"),
    ("demo-congchuc", "4.2", 3, "self_assessed", 40, "Tự đánh giá năng lực số (phiên bản 1)"),
    ("demo-congchuc", "3.1", 2, "recognised_by_staff", 5, "Cán bộ quản lý đào tạo công nhận"),
]


def demo_frameworks_load() -> LoadReport:
    """Load DigComp 2.2, TT02 and their crosswalk (idempotent)."""
    return frameworks_load()


def demo_selfassessment_load() -> LoadReport:
    """Load the self-assessment instrument (idempotent; needs the frameworks)."""
    return selfassessment_load()


def demo_target_create() -> TargetProfile:
    framework = Framework.objects.get(code="digcomp-2.2")
    target, _created = TargetProfile.objects.get_or_create(
        code=DEMO_TARGET_CODE,
        defaults={
            "framework": framework,
            "name": "Công chức: yêu cầu tối thiểu",
            "year": 2025,
            "description": "Hồ sơ minh họa cho bản demo.",
        },
    )
    for code, level in DEMO_TARGET_LEVELS.items():
        TargetLevel.objects.get_or_create(
            target=target,
            competence=Competence.objects.get(framework=framework, code=code),
            defaults={"level": level},
        )
    return target


def demo_evidence_create(*, users=None) -> int:
    """Evidence for the demo learner and civil servant and the demo target profile.
    `users`: User objects or the rows demo_users_create returns (unused: the demo people
    are found by username). Idempotent: a record with the same person, competence,
    method and source label is not written twice. Returns how many were created."""
    demo_target_create()
    people = {
        u.username: u for u in get_user_model().objects.filter(username__in={row[0] for row in DEMO_EVIDENCE})
    }
    today = timezone.localdate()
    created = 0
    for username, code, level, method, days, label in DEMO_EVIDENCE:
        person = people.get(username)
        if person is None:
            continue
        exists = Evidence.objects.filter(
            person=person,
            competence__framework__code="digcomp-2.2",
            competence__code=code,
            method=method,
            source_label=label,
        ).exists()
        if exists:
            continue
        evidence_record(
            person=person,
            competence_code=f"digcomp-2.2:{code}",
            level=level,
            method=method,
            date=today - dt.timedelta(days=days),
            source_type="demo",
            source_label=label,
        )
        created += 1
    return created
