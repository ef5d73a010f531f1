"""Issue on completion, idempotency, revoke and re-issue rules, the jobs behind them."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from assessments.loading import frameworks_load
from courses.certificates.codes import ALPHABET, code_display, code_normalise
from courses.certificates.models import Certificate
from courses.certificates.services import (
    certificate_issue,
    certificate_pdf_render,
    certificate_reissue,
    certificate_revoke,
)
from courses.completion import course_completed_callbacks, on_course_completed, on_course_completed_unregister
from courses.models import CourseCompletion
from courses.services import course_completion_evaluate
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.accounts.sms import outbox as sms_outbox
from lms.jobs.models import OutboxJob
from tests.courses.builders import course_build
from tests.courses.certificates.conftest import complete_course
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.courses.certificates.urls")]


# --- Issue --------------------------------------------------------------------------------


def test_completing_every_lesson_issues_a_certificate_renders_it_and_says_so(
    course, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = complete_course(learner=learner, course=course)
    assert certificate is not None
    completion = CourseCompletion.objects.get(learner=learner, course=course)
    certificate.refresh_from_db()
    assert certificate.completion == completion
    assert certificate.status == Certificate.Status.VALID
    assert certificate.learner_name == "Nguyễn Thị Ánh"
    assert certificate.course_title == "Dùng VNeID an toàn"
    assert certificate.course_level == "Cơ bản"
    assert len(certificate.code) == 12 and set(certificate.code) <= set(ALPHABET)
    # The PDF job went through the outbox and ran; then the "ready" job e-mailed the learner.
    render = OutboxJob.objects.get(task="certificates.render_pdf")
    assert render.kwargs == {"certificate_id": certificate.pk}
    assert render.state == OutboxJob.State.DONE
    assert certificate.pdf_state == Certificate.PdfState.READY
    assert certificate.pdf.read().startswith(b"%PDF")
    ready = OutboxJob.objects.get(task="certificates.ready_notify")
    assert ready.state == OutboxJob.State.DONE
    assert len(mail.outbox) == 2  # welcome on enrolment, then the certificate
    message = mail.outbox[-1]
    assert message.to == ["anh@example.test"]
    assert "Chứng nhận khoá học “Dùng VNeID an toàn” đã sẵn sàng" in message.subject
    assert "/chung-chi/cua-toi/" in message.body and certificate.code_display in message.body
    assert certificate.ready_notified_at is not None
    assert sms_outbox == []


def test_learner_without_email_gets_the_ready_message_by_sms(course, django_capture_on_commit_callbacks):
    learner = UserFactory(email="", phone="+84912000222", full_name="Lê Văn Bình")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = complete_course(learner=learner, course=course)
    assert mail.outbox == []
    assert len(sms_outbox) == 1
    assert sms_outbox[0].to == "+84912000222"
    assert certificate.code_display in sms_outbox[0].body
    assert "sẵn sàng" in sms_outbox[0].body


def test_ready_message_is_sent_once_even_if_the_job_runs_again(certificate):
    from courses.certificates.tasks import ready_notify

    sent = len(mail.outbox)
    ready_notify(certificate_id=certificate.pk)
    assert len(mail.outbox) == sent


def test_a_course_without_certificate_issues_none(index, learner, django_capture_on_commit_callbacks):
    course = course_build(index=index, slug="khong-chung-nhan", certificate_awarded=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert complete_course(learner=learner, course=course) is None
    assert CourseCompletion.objects.filter(learner=learner, course=course).exists()
    assert not OutboxJob.objects.filter(task="certificates.render_pdf").exists()


def test_issue_is_idempotent(certificate):
    again = certificate_issue(completion=certificate.completion)
    assert again.pk == certificate.pk
    # Re-evaluating a completed course does not run the hook again.
    course_completion_evaluate(learner=certificate.learner, course_id=certificate.course_id)
    assert Certificate.objects.count() == 1
    assert OutboxJob.objects.filter(task="certificates.render_pdf").count() == 1


def test_database_allows_one_valid_certificate_per_completion(certificate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            learner=certificate.learner, course=certificate.course, completion=certificate.completion,
            code="ABCDEFGHJKMN", issued_at=certificate.issued_at, learner_name="x", course_title="y",
        )


def test_completion_hook_runs_once_per_new_completion(course, learner):
    seen = []

    def record(*, completion):
        seen.append(completion.pk)

    on_course_completed(record)
    try:
        assert record in course_completed_callbacks()
        complete_course(learner=learner, course=course)
        course_completion_evaluate(learner=learner, course_id=course.pk)
    finally:
        on_course_completed_unregister(record)
    assert seen == [CourseCompletion.objects.get().pk]
    assert record not in course_completed_callbacks()


def test_competences_are_copied_with_titles_and_level(index, learner):
    frameworks_load()
    course = course_build(index=index, slug="an-toan", level="intermediate",
                          competences="digcomp-2.2:4.2\ndigcomp-2.2:1.1\nkhac-1:9.9")
    certificate = complete_course(learner=learner, course=course)
    assert certificate.competences == [
        {"code": "digcomp-2.2:4.2", "title": "Bảo vệ dữ liệu cá nhân và quyền riêng tư",
         "level": "Trung bình", "evidence_level": 4},
        {"code": "digcomp-2.2:1.1", "title": "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số",
         "level": "Trung bình", "evidence_level": 4},
        {"code": "khac-1:9.9", "title": "", "level": "Trung bình", "evidence_level": 4},
    ]
    assert certificate.competence_labels == [
        "4.2 Bảo vệ dữ liệu cá nhân và quyền riêng tư (digcomp-2.2:4.2), mức 4",
        "1.1 Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số (digcomp-2.2:1.1), mức 4",
        "khac-1:9.9, mức 4",
    ]
    # A snapshot: editing the course later changes nothing on the certificate.
    course.title = "Tên mới"
    course.competences = ""
    course.save()
    certificate.refresh_from_db()
    assert certificate.course_title != "Tên mới" and len(certificate.competences) == 3


def test_codes_are_typed_forgivingly():
    assert code_normalise("abcd-efgh-jkmn") == "ABCDEFGHJKMN"
    assert code_normalise(" OIL0 1234 5678 ") == "0110" + "12345678"
    assert code_normalise("ABCD") is None
    assert code_normalise("ABCDEFGHJKMU") is None  # U is not in the alphabet
    assert code_display("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"


# --- Revoke and re-issue ---------------------------------------------------------------------


def test_staff_revokes_with_a_reason(certificate, staff_user):
    revoked = certificate_revoke(certificate=certificate, by=staff_user, reason="  Gian lận khi học.  ")
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.revoked_at is not None
    assert revoked.revoked_reason == "Gian lận khi học."
    assert revoked.revoked_by == staff_user


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_revoke_needs_a_reason_of_sensible_length(certificate, staff_user, reason):
    with pytest.raises(ValidationError) as exc:
        certificate_revoke(certificate=certificate, by=staff_user, reason=reason)
    assert "reason" in exc.value.message_dict
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_revoking_twice_is_refused(certificate, staff_user):
    certificate_revoke(certificate=certificate, by=staff_user, reason="Sai tên.")
    with pytest.raises(ValidationError) as exc:
        certificate_revoke(certificate=certificate, by=staff_user, reason="Lần nữa.")
    assert exc.value.code == "already_revoked"


def test_learners_and_the_owner_cannot_revoke(certificate, learner):
    other = UserFactory()
    for user in (learner, other):
        with pytest.raises(PermissionDenied):
            certificate_revoke(certificate=certificate, by=user, reason="Không được.")
        with pytest.raises(PermissionDenied):
            certificate_reissue(certificate=certificate, by=user, reason="Không được.")
    certificate.refresh_from_db()
    assert certificate.is_valid and Certificate.objects.count() == 1


def test_django_permission_or_platform_admin_role_allows(certificate, course):
    with_perm = UserFactory()
    with_perm.user_permissions.add(Permission.objects.get(codename="change_certificate",
                                                          content_type__app_label="certificates"))
    with_perm = type(with_perm).objects.get(pk=with_perm.pk)  # fresh permission cache
    certificate_revoke(certificate=certificate, by=with_perm, reason="Cấp nhầm.")

    admin = UserFactory()
    role_assign(user=admin, role=Role.PLATFORM_ADMIN)
    learner2 = UserFactory(full_name="Phạm Thu Hà")
    second = complete_course(learner=learner2, course=course)
    certificate_revoke(certificate=second, by=admin, reason="Cấp nhầm.")
    assert Certificate.objects.filter(status=Certificate.Status.REVOKED).count() == 2


def test_reissue_revokes_and_replaces(certificate, staff_user, learner, django_capture_on_commit_callbacks):
    learner.full_name = "Nguyễn Thị Ánh Dương"
    learner.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = certificate_reissue(certificate=certificate, by=staff_user, reason="Sửa họ tên.")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_reason == "Sửa họ tên."
    assert new.is_valid and new.code != certificate.code
    assert new.replaces == certificate and certificate.replaced_by == new
    assert new.learner_name == "Nguyễn Thị Ánh Dương"  # fresh snapshot
    assert new.completion == certificate.completion
    new.refresh_from_db()
    assert new.pdf_state == Certificate.PdfState.READY
    # The old one was replaced: re-issue the newest instead.
    with pytest.raises(ValidationError) as exc:
        certificate_reissue(certificate=certificate, by=staff_user, reason="Lần nữa.")
    assert exc.value.code == "already_replaced"


def test_reissue_after_a_revocation_by_mistake(certificate, staff_user):
    certificate_revoke(certificate=certificate, by=staff_user, reason="Nhầm người.")
    # The automatic issue does not undo a revocation ...
    with pytest.raises(ValidationError) as exc:
        certificate_issue(completion=certificate.completion)
    assert exc.value.code == "revoked"
    # ... staff do, with a re-issue.
    new = certificate_reissue(certificate=certificate, by=staff_user, reason="Thu hồi nhầm.")
    assert new.is_valid and new.replaces == certificate
    assert Certificate.objects.filter(status=Certificate.Status.VALID).count() == 1


def test_reissue_needs_a_reason(certificate, staff_user):
    with pytest.raises(ValidationError):
        certificate_reissue(certificate=certificate, by=staff_user, reason=" ")
    assert Certificate.objects.count() == 1


# --- PDF job ---------------------------------------------------------------------------------


def test_render_is_idempotent_and_marks_failures(certificate, monkeypatch):
    name = certificate.pdf.name
    certificate_pdf_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf.name == name  # left alone

    Certificate.objects.filter(pk=certificate.pk).update(pdf_state=Certificate.PdfState.PENDING, pdf="")

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("courses.certificates.pdf.certificate_pdf_bytes", broken)
    with pytest.raises(OSError):
        certificate_pdf_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.PdfState.FAILED
    assert certificate_pdf_render(certificate_id=987654) is None


def test_until_the_job_runs_the_pdf_is_pending(course, learner):
    # Without running on-commit callbacks the job stays in the outbox.
    certificate = complete_course(learner=learner, course=course)
    assert certificate.pdf_state == Certificate.PdfState.PENDING
    job = OutboxJob.objects.get(task="certificates.render_pdf")
    assert job.state == OutboxJob.State.PENDING
