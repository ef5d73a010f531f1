"""Demo users, one per role, created idempotently for the demo-data command."""

import base64
import datetime
import hashlib

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from lms.places.models import AdministrativeUnit

from .mfa import mfa_required_for
from .models import Role, User
from .services import role_assign

DEMO_PASSWORD = "KyNangSo-2026"
DEMO_DOMAIN = "demo.kynangso.vn"


def demo_totp_secret(username: str) -> str:
    """The known TOTP secret of a demo account whose role requires two-factor
    authentication (base32, 32 characters), printed with the demo logins so a reviewer
    can add it to an authenticator app or get codes from `manage.py demo_totp_codes`.
    Demo data is refused in production (DEMO_DATA_ALLOWED), so no real account has one."""
    digest = hashlib.sha256(f"kynangso-demo-totp:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _demo_totp(user: User, username: str) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    secret = demo_totp_secret(username)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    return secret

# (role, username, full name, phone or None)
DEMO_PEOPLE = [
    (Role.LEARNER, "hocvien", "Nguyễn Thị Học", "+84900000001"),
    (Role.CIVIL_SERVANT, "congchuc", "Trần Văn Công", None),
    (Role.TEAM_MEMBER, "thanhvien", "Lê Thị Thành", "+84900000003"),
    (Role.TEAM_LEADER, "totruong", "Phạm Văn Tổ", "+84900000004"),
    (Role.COMMUNE_OFFICER, "canboxa", "Hoàng Thị Xã", None),
    (Role.PROVINCE_OFFICER, "canbotinh", "Vũ Văn Tỉnh", None),
    (Role.NATIONAL_OFFICER, "canbotw", "Đặng Thị Quốc", None),
    (Role.TRAINING_MANAGER, "quanlydaotao", "Bùi Văn Quản", None),
    (Role.CONTENT_EDITOR, "bientap", "Đỗ Thị Biên", None),
    (Role.PLATFORM_ADMIN, "quantri", "Ngô Văn Trị", None),
]


def _demo_user(*, username: str, full_name: str, phone: str | None, role: str) -> User:
    email = f"{username}@{DEMO_DOMAIN}"
    user, created = User.objects.get_or_create(
        username=f"demo-{username}",
        defaults={"email": email, "full_name": full_name, "phone": phone, "phone_verified": bool(phone)},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
    user.is_staff = role == Role.PLATFORM_ADMIN
    user.is_superuser = role == Role.PLATFORM_ADMIN
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def demo_users_create(*, villages: list[AdministrativeUnit], agencies: list) -> list[dict]:
    """One user per role, scoped to the demo villages, their commune and province, and
    the demo agencies. Returns what to print: role, e-mail, phone, scope."""
    village = villages[0]
    commune = village.parent
    province = commune.parent
    top_agency = agencies[0]
    # A civil servant in a unit under the training manager's agency, so the manager sees them.
    child_agency = next(a for a in agencies if a.parent_id == top_agency.pk)
    scopes = {
        # In post since the start of the year, as the training demo's employment says.
        Role.CIVIL_SERVANT: {
            "agency": child_agency,
            "position": "Chuyên viên",
            "valid_from": datetime.date(timezone.localdate().year, 1, 1),
        },
        Role.TEAM_MEMBER: {"unit": village},
        Role.TEAM_LEADER: {"unit": village},
        Role.COMMUNE_OFFICER: {"unit": commune},
        Role.PROVINCE_OFFICER: {"unit": province},
        Role.TRAINING_MANAGER: {"agency": top_agency},
    }
    editors = Group.objects.filter(name="Editors").first()
    rows = []
    for role, username, full_name, phone in DEMO_PEOPLE:
        user = _demo_user(username=username, full_name=full_name, phone=phone, role=role)
        scope = scopes.get(role, {})
        role_assign(user=user, role=role, **scope)
        if role == Role.CONTENT_EDITOR and editors is not None:
            user.groups.add(editors)
        where = scope.get("unit") or scope.get("agency") or ""
        totp = _demo_totp(user, username) if mfa_required_for(user, enforced=True) else ""
        rows.append(
            {
                "role": str(role.label),
                "email": user.email,
                "phone": phone or "",
                "scope": str(where),
                "totp_secret": totp,
            }
        )
    return rows
