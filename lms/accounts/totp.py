"""RFC 6238 time-based codes (30 s, 6 digits, SHA-1), as authenticator apps compute them.

Used by the demo command that prints the demo accounts' current codes; allauth.mfa does
the checking at login.
"""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret_b32: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)
