"""Import a commune's teams from CSV or XLSX: checked row by row first, written all or
nothing.

Columns (header row, any order): village, team_name, decision_number, decision_date,
leader, members. `village` is the village's name in the commune (accents and case do
not matter); `leader` one phone number or e-mail; `members` several, separated by ";".
Each person needs an account already.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.accounts.models import User
from lms.accounts.phone import phone_to_e164
from lms.core.text import fold
from lms.places.models import AdministrativeUnit

from .forms import parse_date
from .models import Team
from .services import require_commune_officer, team_create, team_member_add

COLUMNS = ("village", "team_name", "decision_number", "decision_date", "leader", "members")
MAX_ROWS = 2000


@dataclass
class ImportRow:
    line: int
    village: str
    team_name: str
    decision_number: str = ""
    decision_date: datetime.date | None = None
    leader: str = ""
    members: list[str] = field(default_factory=list)
    status: str = "create"  # create | error
    message: str = ""
    village_unit: AdministrativeUnit | None = None
    users: list[tuple[User, bool]] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows) and all(r.status != "error" for r in self.rows)

    @property
    def n_create(self) -> int:
        return sum(r.status == "create" for r in self.rows)

    @property
    def n_error(self) -> int:
        return sum(r.status == "error" for r in self.rows)


def _find_user(who: str) -> User | None:
    who = who.strip()
    if "@" in who:
        return User.objects.filter(email__iexact=who, is_active=True).first()
    try:
        phone = phone_to_e164(who)
    except ValidationError:
        return None
    return User.objects.filter(phone=phone, is_active=True).first()


def team_import(*, by, commune: AdministrativeUnit, table: list[list[str]], confirm: bool) -> ImportReport:
    """Check every row; when all are good and `confirm`, create the teams and their
    members in one transaction (any failure writes nothing).

    Rules per row: the village exists (by name) in this commune and has no active team,
    and appears once in the file; a team name; a valid decision date if given, not in
    the future; the leader and members have accounts.
    """
    require_commune_officer(user=by, commune=commune)
    report = ImportReport()
    rows = [r for r in table if any(c.strip() for c in r)]
    if not rows:
        report.errors.append(_("Tệp trống."))
        return report
    header = [fold(c).replace(" ", "_") for c in rows[0]]
    missing = [c for c in ("village", "team_name") if c not in header]
    if missing:
        report.errors.append(
            _("Thiếu cột: %(cols)s. Dòng đầu phải là: %(all)s.")
            % {"cols": ", ".join(missing), "all": ",".join(COLUMNS)}
        )
        return report
    if len(rows) - 1 > MAX_ROWS:
        report.errors.append(_("Mỗi lần nhập tối đa %(n)d dòng.") % {"n": MAX_ROWS})
        return report
    villages = {fold(v.name): v for v in AdministrativeUnit.objects.filter(parent=commune, level="village")}
    with_team = set(
        Team.objects.filter(village__parent=commune, active=True).values_list("village_id", flat=True)
    )
    seen: set[int] = set()
    for n, raw in enumerate(rows[1:], start=2):
        values = dict(zip(header, raw + [""] * (len(header) - len(raw)), strict=False))
        row = ImportRow(
            line=n,
            village=values.get("village", ""),
            team_name=values.get("team_name", ""),
            decision_number=values.get("decision_number", ""),
            leader=values.get("leader", ""),
            members=[m.strip() for m in values.get("members", "").split(";") if m.strip()],
        )
        report.rows.append(row)
        problems = []
        row.village_unit = villages.get(fold(row.village))
        if row.village_unit is None:
            problems.append(_("Không có thôn “%(v)s” trong xã.") % {"v": row.village})
        elif row.village_unit.pk in with_team:
            problems.append(_("Thôn đã có tổ đang hoạt động."))
        elif row.village_unit.pk in seen:
            problems.append(_("Thôn xuất hiện hai lần trong tệp."))
        else:
            seen.add(row.village_unit.pk)
        if not row.team_name.strip():
            problems.append(_("Thiếu tên tổ."))
        raw_date = values.get("decision_date", "")
        if raw_date:
            row.decision_date = parse_date(raw_date)
            if row.decision_date is None:
                problems.append(
                    _("Ngày quyết định “%(d)s” không đúng dạng ngày/tháng/năm.") % {"d": raw_date}
                )
            elif row.decision_date > datetime.date.today():
                problems.append(_("Ngày quyết định ở tương lai."))
        for who, leader in [(row.leader, True)] * bool(row.leader) + [(m, False) for m in row.members]:
            user = _find_user(who)
            if user is None:
                problems.append(_("Không tìm thấy tài khoản “%(who)s”.") % {"who": who})
            else:
                row.users.append((user, leader))
        if problems:
            row.status, row.message = "error", " ".join(problems)
    if not report.ok or not confirm:
        return report
    with transaction.atomic():
        for row in report.rows:
            team = team_create(
                by=by,
                village=row.village_unit,
                name=row.team_name,
                decision_number=row.decision_number,
                decision_date=row.decision_date,
            )
            for user, leader in row.users:
                team_member_add(by=by, team=team, user=user, leader=leader)
            report.written += 1
    return report
