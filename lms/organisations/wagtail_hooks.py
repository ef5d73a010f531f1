"""Administrators manage units, successions and agencies in the Wagtail admin, in one menu.

Saving a unit or an agency whose parent changed rewrites the materialised paths of its
subtree (the forms refuse a parent inside the node's own subtree).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.places.models import AdministrativeUnit
from lms.places.services import unit_path_refresh
from lms.places.viewsets import AdministrativeUnitViewSet, UnitSuccessionViewSet

from .models import Agency
from .services import agency_path_refresh


class AgencyAdminForm(WagtailAdminModelForm):
    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        agency = self.instance
        if parent is not None and agency.pk and (
            parent.pk == agency.pk or parent.path.startswith(agency.path or "#")
        ):
            raise forms.ValidationError(_("Cơ quan cấp trên không được nằm trong chính cơ quan này."))
        return data


class AgencyViewSet(SnippetViewSet):
    model = Agency
    icon = "group"
    menu_label = _("Cơ quan, đơn vị")
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["name", "name_folded", "code"]
    list_display = ["name", "code", "parent", "unit", "is_active"]
    list_filter = ["is_active"]
    list_per_page = 50
    ordering = ["path"]
    edit_handler = ObjectList(
        [
            FieldPanel("code"), FieldPanel("name"), FieldPanel("parent"), FieldPanel("unit"),
            FieldPanel("is_active"),
        ],
        base_form_class=AgencyAdminForm,
    )

    def get_queryset(self, request):
        return Agency.objects.select_related("parent", "unit")


class PlacesAndOrganisationsGroup(SnippetViewSetGroup):
    menu_label = _("Địa bàn và cơ quan")
    menu_icon = "site"
    menu_order = 300
    items = (AdministrativeUnitViewSet, UnitSuccessionViewSet, AgencyViewSet)


register_snippet(PlacesAndOrganisationsGroup)


def _refresh_paths(request, instance):
    if isinstance(instance, AdministrativeUnit):
        unit_path_refresh(unit=instance)
    elif isinstance(instance, Agency):
        agency_path_refresh(agency=instance)


hooks.register("after_create_snippet", _refresh_paths)
hooks.register("after_edit_snippet", _refresh_paths)
