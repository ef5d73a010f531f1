from django.contrib import admin

from .models import OutboxJob


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    """Read-only: job state changes only through lms.jobs.services."""

    list_display = (
        "id",
        "task",
        "state",
        "attempts",
        "max_attempts",
        "run_after",
        "updated_at",
        "dedupe_key",
    )
    list_filter = ("state", "task")
    search_fields = ("task", "dedupe_key")
    date_hierarchy = "created_at"
    list_per_page = 100
    readonly_fields = [f.name for f in OutboxJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
