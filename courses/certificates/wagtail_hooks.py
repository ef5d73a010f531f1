"""Certificates in the Wagtail admin: a read-mostly snippet (list, filter, search, inspect).

Nobody adds, edits or deletes a certificate here: they are issued by the completion hook
and changed only by revoke / re-issue on the staff page (/chung-chi/quan-ly/), whose rules
live in courses.certificates.services. Who holds certificates.view_certificate or
certificates.change_certificate may look.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.certificates.models import Certificate


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete", "publish", "lock", "unlock"):
            return False
        if action == "view":
            return user.has_perm("certificates.view_certificate") or user.has_perm(
                "certificates.change_certificate")
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [a for a in actions if a not in ("add", "change", "delete", "publish", "lock", "unlock")]
        if "view" in actions:
            actions = [*actions, "change"]
        return super().users_with_any_permission(actions)


register_permission_policy(Certificate, ReadOnlyPermissionPolicy(Certificate))


class CertificateViewSet(SnippetViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = _("Chứng nhận")
    menu_order = 310
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = [
        "code_display", "learner_name", "course_title", "issued_at",
        Column("status", label=_("trạng thái"), accessor="get_status_display"),
        Column("pdf_state", label=_("tệp PDF"), accessor="get_pdf_state_display"),
    ]
    list_filter = ["status", "pdf_state"]
    search_fields = ["code", "learner_name", "course_title"]
    search_backend_name = None  # plain database filters: the model is not in the search index
    ordering = ["-issued_at"]
    inspect_view_fields = ["code", "learner_name", "course_title", "course_level", "issued_at", "status",
                           "revoked_at", "revoked_reason", "revoked_by", "replaces", "pdf_state"]


register_snippet(CertificateViewSet)
