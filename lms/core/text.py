"""Vietnamese text folding, shared by search and by name matching.

`fold("Thanh Hoá") == fold("Thanh Hóa") == "thanh hoa"`: NFC-independent (we decompose
first), tone marks and vowel diacritics removed, `đ` → `d`, case folded, dashes and
apostrophes unified, white space collapsed. Used on both sides: the indexed copy of a
text and the query typed by a person.
"""

import re
import unicodedata

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'", "ʼ": "'"})
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Return `text` without accents, lower case, with single spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").translate(_DASHES)
    return _SPACES.sub(" ", text.casefold()).strip()


def normalise_name(text: str | None) -> str:
    """Canonical form for matching names that must keep their accents.

    NFC, one tone-mark placement (`oà`/`òa`, `uý`/`úy` compare equal), unified dashes
    and apostrophes, single spaces, case folded. Never used for display.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).translate(_DASHES)
    text = _SPACES.sub(" ", text).strip().casefold()
    # Move a tone mark written on the second vowel of oa/oe/uy back to the first vowel's
    # position used by the "old" style, so both placements meet in one spelling.
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _TONE_SWAP.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", decomposed)


# A tone mark (grave, acute, hook, tilde, dot below) following the first vowel of
# "oa", "oe" or "uy" is moved after the second vowel: òa → oà, úy → uý.
_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"
_TONE_SWAP = re.compile(rf"([ou])([{_TONE_MARKS}])([aey])")
