from django import forms
from django.utils.translation import gettext_lazy as _

from .models import VILLAGE_TYPES

TYPE_CHOICES = [(t, t) for t in VILLAGE_TYPES]


class LookupForm(forms.Form):
    q = forms.CharField(
        label=_("Tên xã, phường cũ hoặc mới"),
        max_length=100,
        required=False,
        help_text=_("Gõ có dấu hoặc không dấu, ví dụ: “truc bach” hoặc “Phường Trúc Bạch”."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "inputmode": "search"}),
    )


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Tên thôn, bản, tổ dân phố"), max_length=255)
    division_type = forms.ChoiceField(label=_("Loại"), choices=TYPE_CHOICES, initial="thôn")


class VillageImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV"),
        required=False,
        help_text=_("Cột: commune_code (mã xã), name (tên), type (loại: thôn, bản, tổ dân phố …). "
                    "Lưu dưới dạng CSV UTF-8."),
    )
    # After a preview the content travels back in this field, so confirming needs no JS
    # and no second upload.
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)

    MAX_BYTES = 1024 * 1024

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError(_("Tệp quá lớn (tối đa 1 MB)."))
            data["content"] = upload.read()
        elif data.get("csv_text"):
            data["content"] = data["csv_text"]
        else:
            raise forms.ValidationError(_("Hãy chọn một tệp CSV."))
        return data


class VillageMergeForm(forms.Form):
    villages = forms.ModelMultipleChoiceField(
        label=_("Các thôn được gộp"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    name = forms.CharField(label=_("Tên thôn sau khi gộp"), max_length=255)
    division_type = forms.ChoiceField(label=_("Loại"), choices=TYPE_CHOICES, initial="thôn")
    effective_date = forms.DateField(
        label=_("Ngày hiệu lực"), required=False, help_text=_("Để trống nếu là hôm nay."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Căn cứ, ghi chú"), max_length=255, required=False,
                           help_text=_("Ví dụ: số quyết định của Ủy ban nhân dân xã."))

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = villages


class VillageSplitForm(forms.Form):
    names = forms.CharField(
        label=_("Tên các thôn mới, mỗi dòng một tên"), widget=forms.Textarea(attrs={"rows": 4}),
    )
    division_type = forms.ChoiceField(label=_("Loại"), choices=TYPE_CHOICES, initial="thôn")
    effective_date = forms.DateField(
        label=_("Ngày hiệu lực"), required=False, help_text=_("Để trống nếu là hôm nay."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Căn cứ, ghi chú"), max_length=255, required=False)

    def clean_names(self):
        names = [" ".join(line.split()) for line in self.cleaned_data["names"].splitlines()]
        names = [n for n in names if n]
        if len(names) < 2:
            raise forms.ValidationError(_("Hãy nhập ít nhất hai tên, mỗi dòng một tên."))
        return names
