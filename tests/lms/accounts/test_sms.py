"""The pluggable SMS sender and phone-number parsing."""

import io

import pytest
from django.core.exceptions import ValidationError

from lms.accounts import sms
from lms.accounts.phone import phone_display, phone_to_e164


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_memory_backend_is_selected_in_tests_and_keeps_messages():
    assert isinstance(sms.get_sms_backend(), sms.MemorySmsBackend)
    sent = sms.send_sms(to="+84912345678", body="Mã xác minh của bạn là 123456")
    assert sent == 1
    assert [(m.to, m.body) for m in sms.outbox] == [("+84912345678", "Mã xác minh của bạn là 123456")]


def test_console_backend_prints_the_message():
    stream = io.StringIO()
    sms.ConsoleSmsBackend(stream=stream).send_messages(
        [sms.SmsMessage(to="+84912345678", body="Mã xác minh của bạn là 123456")]
    )
    assert stream.getvalue() == "[SMS to +84912345678] Mã xác minh của bạn là 123456\n"
    assert sms.outbox == []


def test_backend_follows_the_setting(settings):
    settings.SMS_BACKEND = "lms.accounts.sms.ConsoleSmsBackend"
    assert isinstance(sms.get_sms_backend(), sms.ConsoleSmsBackend)


def test_base_backend_must_be_subclassed():
    with pytest.raises(NotImplementedError):
        sms.BaseSmsBackend().send_messages([])


@pytest.mark.parametrize(
    "typed",
    [
        "0912 345 678",
        "0912345678",
        "+84912345678",
        "+84 912 345 678",
        "84912345678",
        "0912.345.678",
        "0912-345-678",
    ],
)
def test_vietnamese_formats_become_e164(typed):
    assert phone_to_e164(typed) == "+84912345678"


@pytest.mark.parametrize(
    "typed",
    ["", "12345", "abc", "0123456789", "+1 650 253 0000", "024 3825 1234", "0912 345 678 999 999"],
)
def test_invalid_or_foreign_or_landline_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        phone_to_e164(typed)


def test_display_is_national():
    assert phone_display("+84912345678") == "0912 345 678"
    assert phone_display(None) == ""
