"""Certificate codes: 12 characters of Crockford base32, easy to read aloud and type.

The alphabet has no I, L, O or U, so nothing is mistaken for 1 or 0 (or spells words);
a code typed with those letters, in lower case, with spaces or dashes still finds the
certificate (`code_normalise`). 12 characters carry 60 random bits: unguessable.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalise(raw: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one."""
    cleaned = re.sub(r"[\s\-]", "", raw or "").upper().translate(_CONFUSABLE)
    return cleaned if _CODE_RE.match(cleaned) else None


def code_display(code: str) -> str:
    """ABCD-EFGH-JKMN: groups of four, for print and for reading aloud."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
