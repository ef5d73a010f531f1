"""Wagtail admin views for units and successions (registered in lms.organisations.wagtail_hooks,
grouped with agencies)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import AdministrativeUnit, UnitSuccession


class UnitAdminForm(WagtailAdminModelForm):
    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        unit = self.instance
        if parent is not None and unit.pk and (
            parent.pk == unit.pk or parent.path.startswith(unit.path or "#")
        ):
            raise forms.ValidationError(_("Đơn vị cha không được nằm trong chính đơn vị này."))
        return data


class AdministrativeUnitViewSet(SnippetViewSet):
    model = AdministrativeUnit
    icon = "site"
    menu_label = _("Đơn vị hành chính")
    copy_view_enabled = False
    inspect_view_enabled = True
    # Filter with the ORM on the folded copy, so "da nang" finds "Đà Nẵng".
    search_backend_name = None
    search_fields = ["name", "name_folded", "code"]
    list_display = ["name", "code", "level", "edition", Column("parent", label=_("Trực thuộc")), "valid_to"]
    list_filter = ["edition", "level"]
    list_per_page = 50
    ordering = ["edition", "level", "name_folded"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"), FieldPanel("code"), FieldPanel("division_type"), FieldPanel("level"),
            FieldPanel("edition"), FieldPanel("parent"), FieldPanel("valid_from"), FieldPanel("valid_to"),
            FieldPanel("source_flag"),
        ],
        base_form_class=UnitAdminForm,
    )

    def get_queryset(self, request):
        return AdministrativeUnit.objects.select_related("parent")


class UnitSuccessionViewSet(SnippetViewSet):
    model = UnitSuccession
    icon = "arrow-right"
    menu_label = _("Kế thừa đơn vị")
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["predecessor__name_folded", "successor__name_folded", "note", "source_new_code"]
    list_display = ["predecessor", "successor", "kind", "note", "is_flagged"]
    list_filter = ["kind", "is_flagged"]
    list_per_page = 50

    def get_queryset(self, request):
        return UnitSuccession.objects.select_related("predecessor", "successor")
