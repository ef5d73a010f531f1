"""A certificate for a completed course: who, what, when, and whether it still stands.

What the certificate says (the learner's name, the course title, the competences and
their level) is copied at issue time, so later edits to the course or the profile never
change a certificate already printed; a correction is a re-issue, which revokes the old
certificate and links the new one to it (`replaces`). Written only by
`courses.certificates.services`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.certificates.codes import code_display


def _pdf_path(instance: "Certificate", filename: str) -> str:
    # Not guessable from the public code: PDFs are served to their owner only.
    return f"certificates/{instance.issued_at:%Y/%m}/{uuid.uuid4().hex}.pdf"


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Còn hiệu lực")
        REVOKED = "revoked", _("Đã thu hồi")

    class PdfState(models.TextChoices):
        PENDING = "pending", _("Đang chuẩn bị")
        READY = "ready", _("Sẵn sàng")
        FAILED = "failed", _("Lỗi, đang thử lại")

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="certificates", verbose_name=_("người học"))
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="certificates",
                               verbose_name=_("khoá học"))
    completion = models.ForeignKey("courses.CourseCompletion", on_delete=models.CASCADE,
                                   related_name="certificates", verbose_name=_("lần hoàn thành"))
    code = models.CharField(_("mã chứng nhận"), max_length=12, unique=True)
    issued_at = models.DateTimeField(_("ngày cấp"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(_("ngày thu hồi"), null=True, blank=True)
    revoked_reason = models.TextField(_("lý do thu hồi"), blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người thu hồi"))
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="replaced_by", verbose_name=_("cấp lại thay cho"))
    # Snapshots taken at issue.
    learner_name = models.CharField(_("họ và tên người học"), max_length=255)
    course_title = models.CharField(_("tên khoá học"), max_length=255)
    course_level = models.CharField(_("trình độ"), max_length=64, blank=True)
    competences = models.JSONField(
        _("năng lực"), default=list, blank=True,
        help_text=_("Danh sách {code, title, level} chép từ khoá học lúc cấp."),
    )
    pdf = models.FileField(_("tệp PDF"), upload_to=_pdf_path, blank=True)
    pdf_state = models.CharField(_("tình trạng tệp PDF"), max_length=10, choices=PdfState.choices,
                                 default=PdfState.PENDING)
    # Set by the "certificate ready" job, so a re-run never sends the message twice.
    ready_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("chứng nhận")
        verbose_name_plural = _("chứng nhận")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["completion"], condition=Q(status="valid"),
                                    name="certificates_one_valid_per_completion"),
            models.CheckConstraint(
                condition=Q(status="valid", revoked_at__isnull=True)
                | Q(status="revoked", revoked_at__isnull=False),
                name="certificates_revoked_has_date",
            ),
        ]
        indexes = [models.Index(fields=["learner", "status"], name="certificates_learner_status")]

    def __str__(self) -> str:
        return f"{self.code_display} · {self.learner_name} · {self.course_title}"

    @property
    def competence_labels(self) -> list[str]:
        """The competences as printed and shown: "1.1 <title> (digcomp-2.2:1.1), mức 2",
        from the snapshot alone (what the certificate said when issued). Certificates
        issued before the snapshot held `evidence_level` show the course level's name."""
        from assessments.labels import competence_label

        return [
            competence_label(code=item.get("code", ""), title=item.get("title", ""),
                             level=item.get("evidence_level") or item.get("level", ""))
            for item in self.competences
        ]

    @property
    def code_display(self) -> str:
        return code_display(self.code)

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID
