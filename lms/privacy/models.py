"""Consents a person gave (and withdrew) and requests to erase a person's data.

Both are kept as history: a withdrawal sets `withdrawn_at`, never deletes the record; an
erasure request keeps who handled it, when and why, but not who asked once they are
erased (the label is blanked with the account)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The version of the privacy notice (templates/privacy/notice.html); bump it when the
# notice changes so that new consents say which text was agreed to.
NOTICE_VERSION = "2026-11"


class ConsentRecord(models.Model):
    class Purpose(models.TextChoices):
        ACCOUNT = "account", _("Tài khoản học tập và chứng chỉ (thông báo quyền riêng tư)")
        REMINDERS = "reminders", _("Nhận nhắc nhở học tập qua thư điện tử / tin nhắn")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("mục đích"), max_length=32, choices=Purpose.choices)
    notice_version = models.CharField(_("phiên bản thông báo"), max_length=16, default=NOTICE_VERSION)
    source = models.CharField(_("ghi nhận qua"), max_length=32, default="signup")
    given_at = models.DateTimeField(_("đồng ý lúc"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("bản ghi đồng ý")
        verbose_name_plural = _("bản ghi đồng ý")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"], condition=models.Q(withdrawn_at__isnull=True),
                name="privacy_one_open_consent_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.purpose} · {self.given_at:%Y-%m-%d}"


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        DONE = "done", _("Đã xoá")
        REFUSED = "refused", _("Từ chối")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="erasure_requests"
    )
    reason = models.TextField(_("lý do của người yêu cầu"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    decision_note = models.TextField(_("ghi chú xử lý"), blank=True)
    rows_touched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("yêu cầu xoá dữ liệu")
        verbose_name_plural = _("yêu cầu xoá dữ liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="privacy_one_pending_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.status}"
