"""Editors keep the competence frameworks in the Wagtail admin, in one menu "Khung năng lực"."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Competence, CompetenceMapping, Framework, FrameworkArea, Indicator, ProficiencyLevel


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "list-ul"
    menu_label = _("Khung năng lực")
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["code", "title_vi", "title_en", "publisher"]
    list_display = ["title_vi", "code", "version", "status", "updated_at"]
    list_filter = ["status"]
    exclude_form_fields = ["case_identifier"]


class FrameworkAreaViewSet(SnippetViewSet):
    model = FrameworkArea
    icon = "folder-open-inverse"
    menu_label = _("Miền năng lực")
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["code", "title_vi", "title_en"]
    list_display = ["title_vi", "code", Column("framework", label=_("Khung"))]
    list_filter = ["framework"]
    exclude_form_fields = ["case_identifier"]

    def get_queryset(self, request):
        return FrameworkArea.objects.select_related("framework")


class CompetenceViewSet(SnippetViewSet):
    model = Competence
    icon = "tick-inverse"
    menu_label = _("Năng lực")
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["code", "title_vi", "title_en"]
    list_display = [
        "title_vi", "code", Column("area", label=_("Miền")), Column("framework", label=_("Khung")),
    ]
    list_filter = ["framework"]
    list_per_page = 50
    exclude_form_fields = ["case_identifier"]

    def get_queryset(self, request):
        return Competence.objects.select_related("framework", "area", "area__framework")


class IndicatorViewSet(SnippetViewSet):
    model = Indicator
    icon = "list-ol"
    menu_label = _("Chỉ báo")
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["code", "title_vi", "title_en"]
    list_display = ["title_vi", "code", Column("competence", label=_("Năng lực"))]
    list_filter = ["competence__framework"]
    exclude_form_fields = ["case_identifier"]

    def get_queryset(self, request):
        return Indicator.objects.select_related("competence", "competence__framework")


class ProficiencyLevelViewSet(SnippetViewSet):
    model = ProficiencyLevel
    icon = "order"
    menu_label = _("Bậc trình độ")
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["code", "band_vi", "band_en"]
    list_display = ["code", "ordinal", "band_vi", Column("framework", label=_("Khung"))]
    list_filter = ["framework"]
    exclude_form_fields = ["case_identifier"]

    def get_queryset(self, request):
        return ProficiencyLevel.objects.select_related("framework")


class CompetenceMappingViewSet(SnippetViewSet):
    model = CompetenceMapping
    icon = "arrows-up-down"
    menu_label = _("Đối chiếu năng lực")
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["source__code", "target__code", "note"]
    list_display = ["source", "relation", "target", "note"]
    list_filter = ["relation", "source__framework", "target__framework"]
    list_per_page = 50

    def get_queryset(self, request):
        return CompetenceMapping.objects.select_related("source__framework", "target__framework")


class CompetenceFrameworksGroup(SnippetViewSetGroup):
    menu_label = _("Khung năng lực")
    menu_icon = "list-ul"
    menu_order = 320
    items = (
        FrameworkViewSet, FrameworkAreaViewSet, CompetenceViewSet, IndicatorViewSet, ProficiencyLevelViewSet,
        CompetenceMappingViewSet,
    )


register_snippet(CompetenceFrameworksGroup)
