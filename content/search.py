"""Accent-insensitive search for pages.

Wagtail's database backends do not fold Vietnamese, so every searchable page indexes a
folded copy of its text (`search_text_folded`, see `FoldedSearchMixin`) and the query
is folded the same way (`lms.core.text.fold`) before it reaches the backend: "da nang"
finds "Đà Nẵng", "thanh hoa" finds "Thanh Hóa" and "Thanh Hoá".
"""

import re
import unicodedata

from django.utils.html import strip_tags
from wagtail.search import index

from lms.core.text import fold

_SPACES = re.compile(r"\s+")


def plain_text(value) -> str:
    """Text without HTML tags and with single spaces."""
    return _SPACES.sub(" ", strip_tags(str(value or ""))).strip()


class FoldedSearchMixin:
    """Mixin for page models: index one folded copy of everything a reader can search.

    A model lists what is searchable in `search_texts()` (override and extend it) and
    adds `folded_search_fields()` to its `search_fields`. Publishing a page saves it,
    which re-indexes it (Wagtail's post_save handler); `update_index` rebuilds all.
    """

    def search_texts(self) -> list[str]:
        texts = [self.title, getattr(self, "search_description", "")]
        for name in ("intro", "hero_title", "hero_text", "summary"):
            if getattr(self, name, None):
                texts.append(plain_text(getattr(self, name)))
        body = getattr(self, "body", None)
        if body is not None:
            field = self._meta.get_field("body")
            texts.extend(plain_text(t) for t in field.get_searchable_content(body))
        return [t for t in texts if t]

    def search_text_folded(self) -> str:
        return fold(" ".join(self.search_texts()))

    def search_snippet_source(self) -> str:
        """The text a search result shows an excerpt of (not folded)."""
        return " ".join(self.search_texts()[1:])


def folded_search_fields() -> list:
    return [index.SearchField("search_text_folded")]


def _fold_char(ch: str) -> str:
    folded = fold(ch)
    return folded[0] if folded else " "


def snippet_around(text: str, folded_query: str, *, width: int = 180) -> str:
    """An excerpt of `text` around the first word of the query, or its beginning.

    Folding one character at a time keeps positions aligned with the original text,
    so the excerpt keeps its accents while the match ignores them.
    """
    text = plain_text(unicodedata.normalize("NFC", text or ""))
    if len(text) <= width:
        return text
    aligned = "".join(_fold_char(ch) for ch in text)
    start = -1
    for word in sorted(folded_query.split(), key=len, reverse=True):
        start = aligned.find(word)
        if start >= 0:
            break
    if start < 0:
        cut = text[:width].rsplit(" ", 1)[0]
        return f"{cut} …"
    begin = max(0, start - width // 3)
    if begin:
        begin = text.find(" ", begin) + 1 or begin
    end = min(len(text), begin + width)
    if end < len(text):
        end = text.rfind(" ", begin, end) if text.rfind(" ", begin, end) > begin else end
    excerpt = text[begin:end].strip()
    return ("… " if begin else "") + excerpt + (" …" if end < len(text) else "")
