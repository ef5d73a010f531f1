from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditAction


class EventFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Hành động"), required=False, choices=[("", _("Tất cả"))] + list(AuditAction.choices)
    )
    actor = forms.CharField(
        label=_("Người thực hiện"),
        required=False,
        max_length=254,
        help_text=_("Mã số, e-mail hoặc số điện thoại."),
    )
    target_type = forms.CharField(label=_("Loại đối tượng"), required=False, max_length=64)
    target_id = forms.CharField(label=_("Mã đối tượng"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
