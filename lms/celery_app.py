"""The Celery application, configured from Django settings (CELERY_* names).

The beat schedule is declared here, in code, so it is reviewed like everything else.
"""

import os

from celery import Celery, signals
from celery.schedules import crontab
from kombu import Queue

from lms.jobs import routing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Queues (lms.jobs.routing): a worker started without -Q consumes all of them (tests, the
# embedded setup); production starts one worker group per queue (Procfile).
app.conf.task_default_queue = routing.DEFAULT
app.conf.task_queues = [Queue(name) for name in routing.QUEUES]
app.conf.task_routes = routing.task_routes()


# Every log line written while a task runs names the task (lms.core.logs).
_log_tokens: dict[str, object] = {}


@signals.task_prerun.connect
def _bind_task_log_fields(task_id=None, task=None, **kwargs) -> None:
    from lms.core.logs import bind_log_fields

    if task_id:
        _log_tokens[task_id] = bind_log_fields(task=getattr(task, "name", None), task_id=task_id)


@signals.task_postrun.connect
def _unbind_task_log_fields(task_id=None, **kwargs) -> None:
    from lms.core.logs import unbind_log_fields

    token = _log_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            unbind_log_fields(token)
        except (ValueError, RuntimeError):  # set in another context: nothing to undo
            pass

app.conf.beat_schedule = {
    # Hand pending outbox rows to the broker (rows written while it was down, too).
    # `expires`: while workers are down, do not pile up stale copies of these messages.
    "jobs-dispatch-pending": {
        "task": "lms.jobs.tasks.dispatch_pending",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Re-queue jobs whose worker died mid-run (lease expired) or whose message was lost.
    "jobs-sweep-stale": {"task": "lms.jobs.tasks.sweep_stale", "schedule": 60.0, "options": {"expires": 55}},
    # Outbox handlers run on a schedule go through enqueue_periodic (one pending run at a time).
    "courses-inactivity-reminders": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=9, minute=0),  # daily, 09:00 Vietnam time
        "args": ("courses.send_inactivity_reminders",),
        "options": {"expires": 3600},
    },
    "privacy-retention": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=3, minute=10),  # daily: blank personal details past their retention
        "args": ("privacy.retention_apply",),
        "options": {"expires": 3600},
    },
    "audit-retention": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=3, minute=50),  # daily: delete audit events past AUDIT_RETENTION_DAYS
        "args": ("audit.retention_apply",),
        "options": {"expires": 3600},
    },
    "quizzes-pending-imports-sweep": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=3, minute=30),  # daily: delete previewed, never confirmed uploads
        "args": ("quizzes.pending_imports_sweep",),
        "options": {"expires": 3600},
    },
    # Mandatory training (courses.training): deadline reminders daily, the overdue digest
    # to managers on Monday mornings, yearly copies of recurring plans, a nightly refresh.
    "training-deadline-reminders": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=8, minute=0),
        "args": ("training.send_deadline_reminders",),
        "options": {"expires": 3600},
    },
    "training-manager-digests": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
        "args": ("training.send_manager_digests",),
        "options": {"expires": 3600},
    },
    "training-plans-recur": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=1, minute=0),  # acts only when last year's recurring plans are not copied
        "args": ("training.plans_recur",),
        "options": {"expires": 3600},
    },
    "training-refresh-open-assignments": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=2, minute=15),
        "args": ("training.refresh_open_assignments",),
        "options": {"expires": 3600},
    },
    "quizzes-sweep-timed-out": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": 300.0,
        "args": ("quizzes.sweep_timed_out",),
        "options": {"expires": 290},
    },
    # Compliance rollups: dirty agencies are refreshed by a job the assignment hook enqueues;
    # this sweep catches marks made while a refresh was already running.
    "compliance-rollups-refresh": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": 300.0,
        "args": ("compliance.rollups_refresh",),
        "options": {"expires": 290},
    },
    "compliance-rollups-rebuild": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=1, minute=15),  # nightly full rebuild
        "args": ("compliance.rollups_rebuild",),
        "options": {"expires": 3600},
    },
    # Indicator rollups: each sync enqueues a refresh (community_teams.hooks); this minute
    # beat catches register edits and anything else since the watermark; nightly rebuild.
    "indicators-rollups-refresh": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": 60.0,
        "args": ("indicators.rollups_refresh",),
        "options": {"expires": 55},
    },
    "indicators-rollups-rebuild": {
        "task": "lms.jobs.tasks.enqueue_periodic",
        "schedule": crontab(hour=0, minute=30),  # nightly, after midnight so a new month appears
        "args": ("indicators.rollups_rebuild",),
        "options": {"expires": 3600},
    },
}
