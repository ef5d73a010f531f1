"""Forms of the community-team pages. They only parse input; services decide."""

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SKILL_FIELDS, Resident, StatusField, VisitActivity

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TeamForm(forms.Form):
    village = forms.ModelChoiceField(queryset=None, label=_("Thôn, tổ dân phố"), empty_label=None)
    name = forms.CharField(label=_("Tên tổ"), max_length=255)
    decision_number = forms.CharField(label=_("Số quyết định thành lập"), max_length=64, required=False)
    decision_date = forms.DateField(label=_("Ngày quyết định"), required=False, widget=DATE_INPUT)
    active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args, villages=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["village"]
        else:
            self.fields["village"].queryset = villages
            del self.fields["active"]


class MemberAddForm(forms.Form):
    who = forms.CharField(
        label=_("Số điện thoại hoặc e-mail của thành viên"),
        max_length=255,
        help_text=_("Người này cần có tài khoản trên nền tảng."),
    )
    leader = forms.BooleanField(label=_("Là tổ trưởng"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV hoặc XLSX"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 2 MB)."))
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
        return f


class HouseholdForm(forms.Form):
    label = forms.CharField(
        label=_("Tên gọi của hộ"),
        max_length=120,
        help_text=_("Ví dụ: Hộ ông Ba (xóm Đông). Không ghi số CCCD."),
    )
    address_hint = forms.CharField(label=_("Gợi ý địa chỉ"), max_length=255, required=False)
    children_under_16 = forms.IntegerField(
        label=_("Số trẻ em dưới 16 tuổi"), min_value=0, max_value=30, initial=0
    )
    fibre_broadband = forms.BooleanField(label=_("Hộ có Internet cáp quang"), required=False)
    consent_given = forms.BooleanField(
        label=_("Hộ đã đồng ý cho ghi các thông tin này"),
        required=False,
    )
    consent_purpose = forms.CharField(
        label=_("Mục đích được đồng ý"),
        max_length=255,
        initial=_("Hỗ trợ người dân sử dụng dịch vụ số"),
    )


TRI_STATE = [("", _("Chưa rõ")), ("true", _("Có")), ("false", _("Không"))]
VNEID_CHOICES = [("", _("Chưa rõ")), ("none", _("Chưa có")), ("level1", _("Mức 1")), ("level2", _("Mức 2"))]
SKILL_CHOICES = [("", _("Chưa rõ")), ("with_help", _("Làm được khi có hỗ trợ")), ("alone", _("Tự làm được"))]


class ResidentForm(forms.Form):
    birth_year = forms.IntegerField(label=_("Năm sinh"), min_value=1900)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Resident.Sex.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_year"].max_value = timezone.localdate().year - 16
        for field in StatusField:
            if field == StatusField.FIBRE_BROADBAND:
                continue
            if field == StatusField.VNEID:
                choices = VNEID_CHOICES
            elif field in SKILL_FIELDS:
                choices = SKILL_CHOICES
            else:
                choices = TRI_STATE
            self.fields[f"status_{field.value}"] = forms.ChoiceField(
                label=field.label, choices=choices, required=False
            )

    def status(self) -> dict[str, str]:
        return {
            name.removeprefix("status_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("status_") and value
        }


class VisitForm(forms.Form):
    """The online visit form: one row per catalogue activity (outcome, person, reason).
    The id is generated when the form is shown, so submitting twice stores one visit."""

    id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    visited_on = forms.DateField(label=_("Ngày thăm"), widget=DATE_INPUT, initial=timezone.localdate)
    residents = forms.MultipleChoiceField(
        label=_("Người có mặt"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Không ghi họ tên hay số giấy tờ."),
    )

    def __init__(self, *args, residents: list[Resident], activities: list, **kwargs):
        super().__init__(*args, **kwargs)
        people = [(str(r.pk), str(r)) for r in residents]
        self.fields["residents"].choices = people
        self.activities = activities
        self.rows = []
        outcomes = [("", "—"), *VisitActivity.Outcome.choices]
        for a in activities:
            self.fields[f"a_{a.code}_outcome"] = forms.ChoiceField(
                label=a.name, choices=outcomes, required=False
            )
            self.fields[f"a_{a.code}_resident"] = forms.ChoiceField(
                label=_("Người được hỗ trợ"),
                choices=[("", _("Cả hộ")) if not a.needs_resident else ("", "—"), *people],
                required=False,
            )
            self.fields[f"a_{a.code}_reason"] = forms.CharField(
                label=_("Lý do"), max_length=255, required=False
            )
            self.rows.append(
                (a, self[f"a_{a.code}_outcome"], self[f"a_{a.code}_resident"], self[f"a_{a.code}_reason"])
            )

    def clean(self):
        data = super().clean()
        if not any(data.get(f"a_{a.code}_outcome") for a in self.activities):
            raise forms.ValidationError(_("Hãy ghi kết quả của ít nhất một hoạt động."))
        return data

    def item(self, *, household) -> dict:
        """The visit in the same shape as the phone sends it."""
        data = self.cleaned_data
        activities = []
        for a in self.activities:
            outcome = data.get(f"a_{a.code}_outcome")
            if outcome:
                activities.append(
                    {
                        "code": a.code,
                        "outcome": outcome,
                        "reason": data.get(f"a_{a.code}_reason", ""),
                        "resident_id": data.get(f"a_{a.code}_resident") or None,
                    }
                )
        return {
            "id": str(data["id"]),
            "household_id": str(household.pk),
            "visited_on": data["visited_on"].isoformat(),
            "resident_ids": data["residents"],
            "activities": activities,
            "note": data.get("note", ""),
            "location": None,
            "replaces": None,
        }


class AssistedEnrolForm(forms.Form):
    resident = forms.ChoiceField(label=_("Người học"))
    phone = forms.CharField(
        label=_("Số điện thoại của người học"),
        max_length=20,
        help_text=_(
            "Tài khoản học được tạo (hoặc tìm thấy) theo số này; người học đăng nhập bằng mã gửi qua SMS."
        ),
    )
    course = forms.ChoiceField(label=_("Khoá học"))
    consent = forms.BooleanField(
        label=_("Người học đồng ý tạo tài khoản và đăng ký khoá học"),
        required=True,
        error_messages={"required": _("Cần sự đồng ý của người học.")},
    )

    def __init__(self, *args, residents: list[Resident], courses: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = [(str(r.pk), str(r)) for r in residents]
        self.fields["course"].choices = [(str(c.pk), c.title) for c in courses]


def parse_date(value: str) -> datetime.date | None:
    """A date as people type it in spreadsheets: 31/12/2025, 2025-12-31."""
    value = (value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None
