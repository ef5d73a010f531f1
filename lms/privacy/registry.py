"""What each app holds about a person, and how it forgets it.

lms.privacy sits below the apps that hold personal data, so it never imports them: each
app registers, in its AppConfig.ready, a *section* (what it exports about a person and how
it erases it) and, where it keeps details only for a while, a *retention rule*:

    from lms.privacy.registry import retention_rule, section

    section("courses", _("Khoá học"), export=courses_export, erase=courses_erase)
    retention_rule("community_teams.visit_details", visit_details_expire)

`export(user) -> dict | list` returns plain JSON-ready data. `erase(user) -> int` removes or
blanks what identifies the person and returns how many rows it touched; it must leave the
facts that official figures count (enrolments, completions, visits, assignments) in place,
pointing at the anonymised account, so that no aggregate changes. `rule(now) -> int` blanks
details older than its retention period and returns how many rows it touched.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    export: Callable
    erase: Callable | None = None


_sections: dict[str, Section] = {}
_rules: dict[str, Callable] = {}


def section(key: str, label, *, export: Callable, erase: Callable | None = None) -> None:
    _sections[key] = Section(key=key, label=label, export=export, erase=erase)


def sections() -> list[Section]:
    return [_sections[k] for k in sorted(_sections)]


def retention_rule(key: str, rule: Callable) -> None:
    _rules[key] = rule


def retention_rules() -> dict[str, Callable]:
    return dict(sorted(_rules.items()))
