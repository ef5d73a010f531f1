"""Forms for staff recording competence evidence (no JavaScript; checks in the services)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Competence


class CompetenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Competence) -> str:
        return f"{obj.framework.code}:{obj.code} {obj.title}"


class EvidenceCorrectionForm(forms.Form):
    level = forms.IntegerField(
        label=_("Bậc"), min_value=0, max_value=8, help_text=_("0 = chưa đạt bậc 1; 1–8 theo khung năng lực.")
    )
    date = forms.DateField(
        label=_("Ngày"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    note = forms.CharField(label=_("Lý do sửa"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    url = forms.URLField(label=_("Đường dẫn (không bắt buộc)"), required=False, max_length=500,
                         assume_scheme="https")


class EvidenceRecognitionForm(EvidenceCorrectionForm):
    competence = CompetenceChoiceField(
        label=_("Năng lực"),
        queryset=Competence.objects.select_related("framework").order_by(
            "framework__code", "area__ordering", "ordering", "code"
        ),
        empty_label=_("— Chọn năng lực —"),
    )
    note = forms.CharField(
        label=_("Ghi chú (đã quan sát, kiểm tra điều gì)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    field_order = ["competence", "level", "date", "note", "url"]
