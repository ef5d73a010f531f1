"""Forms of the training pages: they parse and check shapes; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import StaffCategory


def levels_parse(text: str, *, required: bool) -> dict[str, int]:
    """Lines "digcomp-2.2:4.2 3" or "4.2 3" (DigComp 2.2 assumed) → {code: level}."""
    result = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace("=", " ").split()
        if not parts:
            continue
        if len(parts) != 2 or not parts[1].isdigit():
            raise forms.ValidationError(
                _("Dòng %(n)s: cần “mã năng lực bậc”, ví dụ “4.2 3”.") % {"n": number}
            )
        code = parts[0] if ":" in parts[0] else f"digcomp-2.2:{parts[0]}"
        result[code] = int(parts[1])
    if required and not result:
        raise forms.ValidationError(_("Hãy nêu ít nhất một năng lực và bậc yêu cầu."))
    return result


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên, email, số điện thoại"), required=False)
    agency = forms.TypedChoiceField(label=_("Cơ quan, đơn vị"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        label=_("Phân loại"), required=False, choices=[("", _("Tất cả"))] + list(StaffCategory.choices)
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Tất cả"))] + [(a.pk, a.name) for a in agencies]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV hoặc Excel (.xlsx)"),
        help_text=_(
            "Dòng đầu là tiêu đề: họ và tên, email, số điện thoại, mã cơ quan, chức danh/vị trí, "
            "phân loại. Mỗi dòng sau là một người."
        ),
        error_messages={"required": _("Hãy chọn một tệp."), "empty": _("Tệp trống.")},
    )


class PositionForm(forms.Form):
    agency = forms.TypedChoiceField(label=_("Cơ quan sở hữu"), coerce=int)
    code = forms.SlugField(
        label=_("Mã"), max_length=64, help_text=_("Chữ không dấu, số và gạch ngang, ví dụ chuyen-vien.")
    )
    name = forms.CharField(label=_("Tên chức danh, vị trí việc làm"), max_length=255)

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Áp dụng từ năm"), min_value=2000, max_value=2100)
    levels = forms.CharField(
        label=_("Bậc yêu cầu"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Mỗi dòng một năng lực và bậc, ví dụ “digcomp-2.2:4.2 3” hoặc “4.2 3”."),
    )

    def clean_levels(self):
        return levels_parse(self.cleaned_data["levels"], required=True)


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Tên kế hoạch"), max_length=255)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    agency = forms.TypedChoiceField(label=_("Áp dụng cho cơ quan (và các đơn vị trực thuộc)"), coerce=int)
    deadline = forms.DateField(
        label=_("Hạn hoàn thành (hết ngày)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    courses = forms.TypedMultipleChoiceField(
        label=_("Khoá học bắt buộc"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    levels = forms.CharField(
        label=_("Bậc năng lực bắt buộc"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Không bắt buộc. Mỗi dòng một năng lực và bậc, ví dụ “4.2 3”."),
    )
    positions = forms.TypedMultipleChoiceField(
        label=_("Chỉ áp dụng cho chức danh"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Để trống là mọi chức danh."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Chỉ áp dụng cho phân loại"),
        required=False,
        choices=StaffCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Để trống là mọi phân loại."),
    )
    recurs_yearly = forms.BooleanField(label=_("Lặp lại hằng năm"), required=False)

    def __init__(self, *args, agencies=(), courses=(), positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["courses"].choices = [(c.pk, c.title) for c in courses]
        self.fields["positions"].choices = [(p.pk, p.name) for p in positions]

    def clean_levels(self):
        return levels_parse(self.cleaned_data.get("levels") or "", required=False)


class ExemptForm(forms.Form):
    reason = forms.CharField(label=_("Lý do miễn"), max_length=500)


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("Gia hạn đến (hết ngày)"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Lý do gia hạn"), max_length=500)


class SessionForm(forms.Form):
    agency = forms.TypedChoiceField(label=_("Cơ quan tổ chức"), coerce=int)
    course = forms.TypedChoiceField(label=_("Khoá học tương ứng"), coerce=int)
    date = forms.DateField(label=_("Ngày học"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Địa điểm"), max_length=255)
    trainer = forms.CharField(label=_("Giảng viên"), max_length=255)
    attendees = forms.CharField(
        label=_("Người tham dự"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Mỗi dòng một email hoặc số điện thoại."),
    )

    def __init__(self, *args, agencies=(), courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["course"].choices = [(c.pk, c.title) for c in courses]

    def clean_attendees(self):
        return [
            line.strip()
            for line in self.cleaned_data["attendees"].replace(",", "\n").splitlines()
            if line.strip()
        ]


class MoveForm(forms.Form):
    agency = forms.TypedChoiceField(label=_("Chuyển đến cơ quan, đơn vị"), coerce=int)
    position = forms.TypedChoiceField(label=_("Chức danh"), coerce=int, required=False, empty_value=None)
    category = forms.ChoiceField(label=_("Phân loại"), choices=StaffCategory.choices)
    on = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, agencies=(), positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["position"].choices = [("", _("Giữ chức danh hiện tại"))] + [
            (p.pk, p.name) for p in positions
        ]


class EndForm(forms.Form):
    on = forms.DateField(label=_("Ngày làm việc cuối cùng"), widget=forms.DateInput(attrs={"type": "date"}))
