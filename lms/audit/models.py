"""The audit log: who did what to which record, when, from where, and why.

Append-only. Rows are written by `lms.audit.record` only; the model refuses to be
saved twice or deleted, its queryset refuses update() and delete(), and on PostgreSQL a
trigger refuses UPDATE and DELETE in the database itself (migration 0002). The one
exception is the retention job (`lms.audit.services.retention_apply`, migration 0003):
it deletes rows older than AUDIT_RETENTION_DAYS, and the trigger lets a DELETE through
only inside a transaction that set `lms.audit_retention` and only for a row older than
RETENTION_MIN_DAYS. Rows name
people by id only (actor_id, target_id): erasing or anonymising a person never has to
rewrite the log, and the page shows whatever the person's record says today.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Đăng nhập")
    LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
    LOGIN_LOCKED = "login_locked", _("Tạm khoá đăng nhập")
    LOGOUT = "logout", _("Đăng xuất")
    ROLE_ASSIGNED = "role_assigned", _("Giao vai trò")
    ROLE_CHANGED = "role_changed", _("Sửa phân công vai trò")
    ROLE_ENDED = "role_ended", _("Kết thúc vai trò")
    ROLE_DELETED = "role_deleted", _("Xoá phân công vai trò")
    MFA_ADDED = "mfa_added", _("Bật xác thực hai lớp")
    MFA_REMOVED = "mfa_removed", _("Tắt xác thực hai lớp")
    MFA_RESET = "mfa_reset", _("Tạo lại mã khôi phục")
    MFA_FAILED = "mfa_failed", _("Nhập sai mã xác thực hai lớp")
    PERSONAL_DATA_VIEW = "pd_view", _("Xem dữ liệu cá nhân")
    PERSONAL_DATA_EXPORT = "pd_export", _("Xuất dữ liệu cá nhân")
    AUDIT_EXPORT = "audit_export", _("Xuất nhật ký truy cập")
    AUDIT_RETENTION = "audit_retention", _("Xoá nhật ký quá hạn lưu giữ")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("The audit log is append-only.")

    def update_or_create(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    # Django's delete collector and update paths go through these two.
    def _raw_delete(self, using):
        raise PermissionError("The audit log is append-only.")

    def _update(self, values):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True, editable=False)
    actor_id = models.BigIntegerField(_("người thực hiện"), null=True, blank=True, db_index=True)
    action = models.CharField(_("hành động"), max_length=32, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(_("loại đối tượng"), max_length=64, blank=True)
    target_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    purpose = models.CharField(_("mục đích"), max_length=255, blank=True)
    path = models.CharField(_("địa chỉ trang"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_at_idx"),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
