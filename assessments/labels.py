"""How pages of other apps (course pages, certificates) name a competence: its title with
its code and a level — "1.1 Duyệt, tìm kiếm và lọc dữ liệu… (digcomp-2.2:1.1), mức 2".
Titles come from the frameworks (selectors.competences_named, cached), never retyped."""

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
