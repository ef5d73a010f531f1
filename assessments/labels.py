"""How pages of other apps (course pages, certificates) name a competence: its title with
its code and a level — "1.1 Duyệt, tìm kiếm và lọc dữ liệu… (digcomp-2.2:1.1), mức 2".
Titles come from the frameworks (selectors.competences_named, cached), never retyped."""

import re

from django.utils.translation import gettext as _


def competence_label(*, code: str, title: str = "", level: int | str | None = None) -> str:
    """"<local code> <title> (<qualified code>)" plus ", mức <n>" for a numeric level (or
    " — <label>" for a level given as text); the bare code when the title is unknown."""
    local = code.partition(":")[2] or code
    text = f"{local} {title} ({code})" if title else code
    if isinstance(level, int) and not isinstance(level, bool):
        text += _(", mức %(n)s") % {"n": level}
    elif level:
        text += f" — {level}"
    return text


# --- Labels and notes stored in Vietnamese, translated when shown ---------------------------
# Evidence keeps the label its source wrote, in Vietnamese (the msgid), whatever language
# the writer's page was in: rows stay meaningful in exports and after a change of wording
# in the English catalogue. A source registers the template it writes with; when a stored
# text matches it, it is shown through gettext with the same values.

_FORMATS: dict[tuple[str, str], tuple[str, re.Pattern]] = {}


def evidence_format_register(*, source_type: str, template: str, field: str = "source_label") -> None:
    """Say that evidence from `source_type` stores `field` as `template` % values, where
    `template` is a Vietnamese msgid marked with gettext_noop (e.g. "%(title)s — lần %(n)s")."""
    pattern = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+)", re.escape(template))
    _FORMATS[(source_type, field)] = (template, re.compile(f"^{pattern}$", re.DOTALL))


def evidence_text(*, source_type: str, field: str, text: str) -> str:
    """`text` as stored in `field` of an evidence record from `source_type`, in the
    current language when it matches its source's registered template; unchanged
    otherwise (free text, a course title)."""
    known = _FORMATS.get((source_type, field))
    if known and text:
        match = known[1].match(text)
        if match:
            return _(known[0]) % match.groupdict()
    return text
