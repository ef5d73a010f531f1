"""Open Badges 3.0: JCS, the eddsa-jcs-2022 proof, the published key, tampering."""

import base64
import copy
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from courses.certificates import badges
from courses.certificates.badges import credential_verify, jcs

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.courses.certificates.urls")]


# --- JCS (RFC 8785) ---------------------------------------------------------------------


def test_jcs_sorts_keys_by_utf16_and_drops_whitespace():
    # RFC 8785 §3.2.3: keys sorted by UTF-16 code units ("\u20ac" < "\ud83d\ude00" < "\ufb33").
    value = {"\u20ac": "Euro", "\r": "CR", "\ufb33": "Hebrew", "1": "One", "\U0001f600": "Smiley",
             "\u0080": "Control", "\u00f6": "Latin"}
    assert jcs(value).decode() == (
        '{"\\r":"CR","1":"One","\u0080":"Control","\u00f6":"Latin","\u20ac":"Euro",'
        '"\U0001f600":"Smiley","\ufb33":"Hebrew"}')
    assert jcs({"b": [1, True, None], "a": {"d": "x", "c": "Nguyễn"}}) == \
        '{"a":{"c":"Nguyễn","d":"x"},"b":[1,true,null]}'.encode()


def test_jcs_escapes_like_ecmascript():
    assert jcs("a\"b\\c\n\u0001/é") == b'"a\\"b\\\\c\\n\\u0001/\xc3\xa9"'


@pytest.mark.parametrize(("number", "text"), [
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (333333333.3333333, "333333333.3333333"), (1e21, "1e+21"),
    (1e-7, "1e-7"), (0.000001, "0.000001"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (9007199254740992.0, "9007199254740992"), (295147905179352830000.0, "295147905179352830000"),
    (4.50, "4.5"), (-1.5e-9, "-1.5e-9"), (123, "123"), (-7, "-7"),
])
def test_jcs_numbers_in_ecmascript_form(number, text):
    assert jcs(number).decode() == text


def test_jcs_refuses_what_json_cannot_hold():
    for bad in (float("nan"), float("inf"), 2**60, {1: "x"}, object()):
        with pytest.raises((ValueError, TypeError)):
            jcs(bad)


# --- Credential -------------------------------------------------------------------------------


def test_credential_shape(certificate):
    credential = badges.certificate_credential(certificate=certificate)
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"].endswith("/chung-chi/issuer.json")
    assert credential["validFrom"].endswith("Z")
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Nguyễn Thị Ánh"
    assert subject["achievement"]["name"] == "Dùng VNeID an toàn"
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["verificationMethod"] == credential["issuer"]["id"] + "#key-1"
    assert proof["proofValue"].startswith("z")
    # Only strings, integers, booleans, lists and objects: the canonical form is exact.
    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value
    assert all(isinstance(leaf, str | int | bool) for leaf in leaves(credential))
    # The same every time (built from snapshots; Ed25519 is deterministic).
    assert badges.certificate_credential(certificate=certificate) == credential


def test_credential_verifies_with_the_published_key(certificate, client):
    credential = json.loads(client.get(f"/chung-chi/{certificate.code}/badge.json").content)
    profile = json.loads(client.get("/chung-chi/issuer.json").content)
    method = profile["verificationMethod"][0]
    assert method["type"] == "Multikey"
    assert method["publicKeyMultibase"].startswith("z6Mk")  # base58btc of 0xed01 + 32 bytes
    assert credential_verify(credential, issuer=profile)
    # JSON round trip through a different layout changes nothing.
    assert credential_verify(json.loads(json.dumps(credential, ensure_ascii=True)), issuer=profile)


def _strings(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


def _set(document, path, new):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new


def _changed(char: str) -> str:
    return "b" if char != "b" else "c"


def test_changing_any_one_character_of_the_subject_breaks_it(certificate):
    credential = badges.certificate_credential(certificate=certificate)
    profile = badges.issuer_profile()
    checked = 0
    for path, text in _strings(credential["credentialSubject"], ("credentialSubject",)):
        for index in range(len(text)):
            tampered = copy.deepcopy(credential)
            _set(tampered, path, text[:index] + _changed(text[index]) + text[index + 1:])
            assert not credential_verify(tampered, issuer=profile), (path, index)
            checked += 1
    assert checked > 100
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["identifier"][0]["hashed"] = True
    assert not credential_verify(tampered, issuer=profile)
    assert credential_verify(credential, issuer=profile)


def test_changing_any_one_character_of_the_proof_value_breaks_it(certificate):
    credential = badges.certificate_credential(certificate=certificate)
    value = credential["proof"]["proofValue"]
    for index in range(len(value)):
        tampered = copy.deepcopy(credential)
        replacement = "2" if value[index] != "2" else "3"
        tampered["proof"]["proofValue"] = value[:index] + replacement + value[index + 1:]
        assert not credential_verify(tampered), index
    for field in ("created", "verificationMethod", "cryptosuite"):
        tampered = copy.deepcopy(credential)
        tampered["proof"][field] += "x"
        assert not credential_verify(tampered), field


def test_another_key_does_not_verify(certificate):
    credential = badges.credential_build(certificate=certificate)
    forged = badges.credential_sign(credential, key=Ed25519PrivateKey.generate())
    assert not credential_verify(forged)
    # A different issuer document (someone else's key) does not verify ours either.
    other = badges.issuer_profile()
    other["verificationMethod"][0]["publicKeyMultibase"] = badges.public_key_multibase(
        Ed25519PrivateKey.generate().public_key())
    assert not credential_verify(badges.credential_sign(credential), issuer=other)
    assert not credential_verify("not a credential") and not credential_verify({})


def test_key_from_settings_or_derived_from_secret_key(settings):
    settings.CERTIFICATE_SIGNING_KEY = ""
    derived = badges.signing_key().public_key()
    settings.SECRET_KEY = "another-secret"
    multibase = badges.public_key_multibase
    assert multibase(badges.signing_key().public_key()) != multibase(derived)
    seed = bytes(range(32))
    settings.CERTIFICATE_SIGNING_KEY = base64.b64encode(seed).decode()
    expected = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    assert multibase(badges.signing_key().public_key()) == multibase(expected)
    from django.core.exceptions import ImproperlyConfigured

    settings.CERTIFICATE_SIGNING_KEY = base64.b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured):
        badges.signing_key()


def test_multikey_round_trip():
    key = Ed25519PrivateKey.generate().public_key()
    text = badges.public_key_multibase(key)
    assert badges.public_key_multibase(badges.public_key_from_multibase(text)) == text
    assert badges.base58btc_decode(badges.base58btc_encode(b"\0\0abc")) == b"\0\0abc"
