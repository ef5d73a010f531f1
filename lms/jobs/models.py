"""The job outbox: one row per background job, written in the caller's transaction.

The row, not the broker, is the source of truth for a job's state. A job is handed to
Celery after the transaction commits; if the broker is down the row stays `pending` and
the dispatcher (beat, every 30 s) hands it over later; if a worker dies mid-run, its
lease expires and the sweeper puts the row back to `pending`.

States::

    pending ──dispatch──▶ dispatched ──claim──▶ running ──▶ done
       ▲                      │                    │
       └──── retry (backoff) / lost message / lease expired ──▶ failed (attempts used up)
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxJob(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        DISPATCHED = "dispatched", _("Đã gửi cho hàng đợi")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Thất bại")

    # States in which a dedupe key is held: a second job with the same key is refused.
    ACTIVE_STATES = (State.PENDING, State.DISPATCHED, State.RUNNING)
    # States from which a worker may claim the job.
    CLAIMABLE_STATES = (State.PENDING, State.DISPATCHED)

    task = models.CharField(_("tác vụ"), max_length=200)
    kwargs = models.JSONField(_("tham số"), default=dict, blank=True)
    state = models.CharField(_("trạng thái"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("số lần đã chạy"), default=0)
    max_attempts = models.PositiveIntegerField(_("số lần chạy tối đa"), default=5)
    run_after = models.DateTimeField(_("chạy từ lúc"), default=timezone.now)
    lease_expires_at = models.DateTimeField(_("hết hạn giữ chỗ lúc"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("gửi cho hàng đợi lúc"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    dedupe_key = models.CharField(_("khoá chống trùng"), max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        ordering = ["-id"]
        indexes = [
            # dispatch_pending: pending rows that are due, oldest first.
            models.Index(fields=["state", "run_after"], name="jobs_outbox_state_due_idx"),
            # sweep_stale: running rows whose lease expired.
            models.Index(fields=["state", "lease_expires_at"], name="jobs_outbox_state_lease_idx"),
            models.Index(fields=["task", "state"], name="jobs_outbox_task_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state__in=["pending", "dispatched", "running"]),
                name="jobs_outbox_dedupe_active_uniq",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="jobs_outbox_max_attempts_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.task} ({self.state})"
