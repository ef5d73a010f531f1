"""People and the roles they hold.

The custom User exists from the first migration. Personal data (name, e-mail, phone)
sits in a few columns that `user_anonymise` can blank in place; facts elsewhere point to
people by id only.

A RoleAssignment (user, role, unit or agency, valid from/to) is the single source of
truth for permissions: see `lms.accounts.selectors.units_visible_to` and
`agencies_visible_to`.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # `username` is an internal handle generated at sign-up; people sign in with their
    # e-mail address or phone number (allauth).
    full_name = models.CharField(_("họ và tên"), max_length=255, blank=True)
    phone = models.CharField(
        _("số điện thoại"), max_length=20, null=True, blank=True, unique=True,
        help_text=_("Dạng quốc tế, ví dụ +84912345678."),
    )
    phone_verified = models.BooleanField(_("đã xác minh số điện thoại"), default=False)
    preferred_language = models.CharField(
        _("ngôn ngữ ưa dùng"), max_length=8, choices=settings.LANGUAGES, default="vi"
    )
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email or self.phone or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()


class Role(models.TextChoices):
    LEARNER = "learner", _("Người học")
    CIVIL_SERVANT = "civil_servant", _("Cán bộ, công chức, viên chức")
    TEAM_MEMBER = "team_member", _("Thành viên tổ công nghệ số cộng đồng")
    TEAM_LEADER = "team_leader", _("Tổ trưởng tổ công nghệ số cộng đồng")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ cấp xã")
    PROVINCE_OFFICER = "province_officer", _("Cán bộ cấp tỉnh")
    NATIONAL_OFFICER = "national_officer", _("Cán bộ cấp trung ương")
    TRAINING_MANAGER = "training_manager", _("Quản lý đào tạo")
    CONTENT_EDITOR = "content_editor", _("Biên tập viên nội dung")
    PLATFORM_ADMIN = "platform_admin", _("Quản trị nền tảng")


# Which kind of scope each role is held over, and at which unit level.
UNIT_ROLE_LEVELS: dict[str, str | None] = {
    Role.TEAM_MEMBER: "village",
    Role.TEAM_LEADER: "village",
    Role.COMMUNE_OFFICER: "commune",
    Role.PROVINCE_OFFICER: "province",
    Role.NATIONAL_OFFICER: None,  # the whole country: no unit
}
AGENCY_ROLES = {Role.CIVIL_SERVANT, Role.TRAINING_MANAGER}
# Roles that see every unit / every agency.
NATIONWIDE_ROLES = {Role.NATIONAL_OFFICER, Role.PLATFORM_ADMIN}


class RoleAssignmentQuerySet(models.QuerySet):
    def active_on(self, day):
        """Assignments in force on `day` (valid_to is the last day, inclusive)."""
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "places.AdministrativeUnit",
        verbose_name=_("đơn vị hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    agency = models.ForeignKey(
        "organisations.Agency",
        verbose_name=_("cơ quan, đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    position = models.CharField(_("chức danh, vị trí việc làm"), max_length=255, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến (hết ngày)"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        indexes = [models.Index(fields=["user", "role"], name="accounts_role_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="accounts_role_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(agency__isnull=True),
                name="accounts_role_one_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit or self.agency or ""
        return f"{self.get_role_display()} {scope}".strip()
