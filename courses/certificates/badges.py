"""The certificate as a signed Open Badges 3.0 credential (W3C VC data model 2.0).

What is produced
    An ``OpenBadgeCredential``: ``@context`` (VC 2.0, OB 3.0), ``id`` (the public
    verification page), ``type`` ["VerifiableCredential", "OpenBadgeCredential"], the
    ``issuer`` Profile (id = the published issuer document), ``validFrom`` (issue time,
    UTC), ``name``, and ``credentialSubject`` (an AchievementSubject naming the learner
    by an IdentityObject of type "name", not hashed, and the ``achievement``: the course,
    its criteria and its competences as alignments). Every value is a string, an integer,
    a boolean, a list or an object: no floats, so the canonical form below is exact.

How it is signed: a DataIntegrityProof, cryptosuite "eddsa-jcs-2022"
    1. proof options = {type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022",
       created, verificationMethod: "<issuer url>#key-1", proofPurpose:
       "assertionMethod", @context: the credential's @context};
    2. hash = SHA-256(JCS(proof options)) ‖ SHA-256(JCS(credential without proof));
    3. signature = Ed25519(key, hash); proofValue = "z" + base58btc(signature).
    JCS is the JSON Canonicalization Scheme (RFC 8785): object keys sorted by their
    UTF-16 code units, no whitespace, strings escaped as ECMAScript JSON.stringify does
    (only ", \\ and control characters; everything else as UTF-8), numbers in ECMAScript
    form. `jcs` below implements it.

The key
    settings.CERTIFICATE_SIGNING_KEY (environment): base64 of the 32-byte Ed25519 seed.
    When unset it is derived from SECRET_KEY with HKDF-SHA256 (info names its use), so a
    laptop and the tests need no setup; production sets its own and keeps it.
    The issuer document (`issuer_profile`, at /chung-chi/issuer.json) publishes the
    public key as a Multikey: publicKeyMultibase = "z" + base58btc(0xed 0x01 ‖ key).

Verifying (`credential_verify`) re-does steps 1–2 from the credential and checks the
signature with the key the issuer document publishes for proof.verificationMethod.
"""

import base64
import binascii
import datetime
import hashlib
import json
import math
import os
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from courses.certificates.models import Certificate
from courses.certificates.selectors import issuer_url, public_base_url, verification_url

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CRYPTOSUITE = "eddsa-jcs-2022"
KEY_FRAGMENT = "#key-1"
ED25519_PUB_MULTICODEC = b"\xed\x01"
_HKDF_INFO = b"lms courses.certificates ed25519 signing key v1"


# --- JSON Canonicalization Scheme (RFC 8785) ----------------------------------------------


def _jcs_string(value: str) -> str:
    out = ['"']
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif code < 0x20:
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}.get(char)
                       or f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _jcs_number(value: int | float) -> str:
    """ECMAScript Number.prototype.toString of an IEEE 754 double."""
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError("JCS: integer beyond 2^53 cannot be represented exactly")
        return str(value)
    if not math.isfinite(value):
        raise ValueError("JCS: NaN and Infinity are not JSON")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript requires.
    digits_tuple = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    exponent = digits_tuple.exponent
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped.lstrip("0") or "0"
    k = len(digits)
    n = k + exponent  # value = 0.digits × 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def jcs(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value."""
    return _jcs(value).encode("utf-8")


def _jcs(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return _jcs_number(value)
    if isinstance(value, str):
        return _jcs_string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("JCS: object keys must be strings")
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(_jcs_string(key) + ":" + _jcs(value[key]) for key in keys) + "}"
    raise TypeError(f"JCS: {type(value).__name__} is not JSON")


# --- base58btc and Multikey ----------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise ValueError("not base58btc")
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc_encode(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("publicKeyMultibase must be base58btc ('z')")
    raw = base58btc_decode(value[1:])
    if not raw.startswith(ED25519_PUB_MULTICODEC) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


# --- The key ------------------------------------------------------------------------------


def signing_key() -> Ed25519PrivateKey:
    """settings.CERTIFICATE_SIGNING_KEY (or the environment variable of that name):
    base64 of a 32-byte seed; otherwise derived from SECRET_KEY with HKDF."""
    configured = getattr(settings, "CERTIFICATE_SIGNING_KEY", "") or os.environ.get(
        "CERTIFICATE_SIGNING_KEY", "")
    if configured:
        try:
            seed = base64.b64decode(configured, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured("CERTIFICATE_SIGNING_KEY is not base64") from exc
        if len(seed) != 32:
            raise ImproperlyConfigured("CERTIFICATE_SIGNING_KEY must be 32 bytes (base64)")
    else:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
            settings.SECRET_KEY.encode("utf-8"))
    return Ed25519PrivateKey.from_private_bytes(seed)


def verification_method_id() -> str:
    return issuer_url() + KEY_FRAGMENT


def issuer_profile() -> dict[str, Any]:
    """The issuer document published at /chung-chi/issuer.json: an OB 3.0 Profile that
    is also the controller document of the signing key (a Multikey)."""
    url = issuer_url()
    return {
        "@context": [*CONTEXT, "https://w3id.org/security/multikey/v1"],
        "id": url,
        "type": ["Profile"],
        "name": settings.WAGTAIL_SITE_NAME,
        "url": public_base_url() + "/",
        "verificationMethod": [{
            "id": url + KEY_FRAGMENT,
            "type": "Multikey",
            "controller": url,
            "publicKeyMultibase": public_key_multibase(signing_key().public_key()),
        }],
        "assertionMethod": [url + KEY_FRAGMENT],
    }


# --- The credential -----------------------------------------------------------------------


def _utc(value) -> str:
    return value.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def credential_build(*, certificate: Certificate) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential, from the certificate's snapshots only (so it is
    the same every time it is built)."""
    base = public_base_url()
    alignments = []
    for item in certificate.competences:
        framework, _sep, code = item.get("code", "").partition(":")
        alignments.append({
            "type": ["Alignment"],
            "targetCode": item.get("code", ""),
            "targetName": item.get("title") or item.get("code", ""),
            "targetDescription": item.get("level", ""),
            "targetFramework": framework,
            "targetUrl": (base + reverse("assessments:framework_detail", args=[framework]))
            if framework else base,
        })
    achievement = {
        # Stable whatever happens to the course page's URL later.
        "id": f"{issuer_url()}#achievement-{certificate.course_id}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": certificate.course_title,
        "description": certificate.course_title,
        "criteria": {"narrative": "Hoàn thành mọi bài học bắt buộc và điều kiện hoàn thành của khoá học."},
    }
    if certificate.course_level:
        achievement["tag"] = [certificate.course_level]
    if alignments:
        achievement["alignment"] = alignments
    return {
        "@context": list(CONTEXT),
        "id": verification_url(code=certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_url(), "type": ["Profile"], "name": settings.WAGTAIL_SITE_NAME},
        "validFrom": _utc(certificate.issued_at),
        "name": certificate.course_title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.learner_name,
            }],
            "achievement": achievement,
        },
    }


def _hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    if "@context" in document:
        options["@context"] = document["@context"]
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return hashlib.sha256(jcs(options)).digest() + hashlib.sha256(jcs(unsecured)).digest()


def credential_sign(credential: dict[str, Any], *, key: Ed25519PrivateKey | None = None,
                    created: str | None = None) -> dict[str, Any]:
    """`credential` with an eddsa-jcs-2022 DataIntegrityProof added."""
    key = key or signing_key()
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created or credential.get("validFrom") or _utc(timezone.now()),
        "verificationMethod": verification_method_id(),
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(credential, proof))
    return {**credential, "proof": {**proof, "proofValue": "z" + base58btc_encode(signature)}}


def certificate_credential(*, certificate: Certificate) -> dict[str, Any]:
    return credential_sign(credential_build(certificate=certificate))


def _key_from_profile(profile: dict[str, Any], method_id: str) -> Ed25519PublicKey | None:
    for method in profile.get("verificationMethod", []):
        if isinstance(method, dict) and method.get("id") == method_id and method.get("type") == "Multikey":
            return public_key_from_multibase(method.get("publicKeyMultibase", ""))
    return None


def credential_verify(credential: Any, *, issuer: dict[str, Any] | None = None) -> bool:
    """Whether `credential` carries a valid eddsa-jcs-2022 proof by the issuer's key.

    `issuer` is the issuer document (as published at /chung-chi/issuer.json); ours by
    default. The proof's verificationMethod must be a key that document lists, and the
    issuer named in the credential must be that document. Any malformed input is False.
    """
    try:
        issuer = issuer or issuer_profile()
        if not isinstance(credential, dict):
            return False
        proof = credential.get("proof")
        if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof" \
                or proof.get("cryptosuite") != CRYPTOSUITE or proof.get("proofPurpose") != "assertionMethod":
            return False
        issuer_id = credential.get("issuer", {}).get("id") if isinstance(credential.get("issuer"), dict) \
            else credential.get("issuer")
        if issuer_id != issuer.get("id"):
            return False
        public_key = _key_from_profile(issuer, proof.get("verificationMethod", ""))
        value = proof.get("proofValue", "")
        if public_key is None or not isinstance(value, str) or not value.startswith("z"):
            return False
        public_key.verify(base58btc_decode(value[1:]), _hash_data(credential, proof))
        return True
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False


def credential_json(credential: dict[str, Any]) -> str:
    """Readable JSON for downloads (the proof does not depend on the layout)."""
    return json.dumps(credential, ensure_ascii=False, indent=2)
