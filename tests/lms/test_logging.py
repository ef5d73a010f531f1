"""Request ids (lms.core.request_id) and JSON log lines (lms.core.logs)."""

import io
import json
import logging
import re
from contextlib import contextmanager

import pytest
from celery import signals
from django.test import Client

from lms.core.logs import JsonFormatter, current_log_fields, log_fields
from lms.jobs.tasks import dispatch_pending
from tests.lms.test_settings import production_python

HEX32 = re.compile(r"[0-9a-f]{32}")


@contextmanager
def json_lines(logger_name: str):
    """Lines written to `logger_name` through the production formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    level, disabled = logger.level, logging.root.manager.disable
    logger.setLevel(logging.INFO)  # whatever other tests did to the levels
    logging.disable(logging.NOTSET)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logging.disable(disabled)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


def test_the_request_id_is_taken_from_the_load_balancer_or_made(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.2").headers["X-Request-ID"] == "lb-7f3a.2"
    made = [client.get("/healthz").headers["X-Request-ID"] for _ in range(2)]
    assert all(HEX32.fullmatch(rid) for rid in made) and made[0] != made[1]
    # Anything that could forge a log line or a header is replaced, not echoed.
    for hostile in ("a b", "x" * 200, "id\nFAKE LOG LINE", "<script>", ""):
        assert HEX32.fullmatch(client.get("/healthz", HTTP_X_REQUEST_ID=hostile).headers["X-Request-ID"])


@pytest.mark.django_db
def test_an_error_is_logged_as_one_json_line_with_the_request_id_and_exception(settings):
    settings.ROOT_URLCONF = "tests.lms.extra_urls"
    client = Client(raise_request_exception=False)
    with json_lines("django.request") as lines:
        response = client.get("/boom/", HTTP_X_REQUEST_ID="req-boom-1")
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "req-boom-1"
    [line] = [entry for entry in lines if entry["level"] == "ERROR"]
    assert line["logger"] == "django.request"
    assert line["message"] == "Internal Server Error: /boom/"
    assert line["request_id"] == "req-boom-1"
    assert line["method"] == "GET" and line["path"] == "/boom/"
    assert "RuntimeError: hỏng giữa chừng" in line["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])


@pytest.mark.django_db
def test_a_404_response_logged_after_the_middleware_still_names_the_request():
    with json_lines("django.request") as lines:
        Client().get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="req-404")
    assert [(e["level"], e["request_id"]) for e in lines if e["message"].startswith("Not Found")] == [
        ("WARNING", "req-404")
    ]


def test_bound_fields_and_extra_fields_are_in_the_line():
    with json_lines("lms.test.logging") as lines:
        with log_fields(request_id="r-1"):
            logging.getLogger("lms.test.logging").info("hồ sơ %s", "đã lưu", extra={"agency_id": 7})
        logging.getLogger("lms.test.logging").info("ngoài")
    assert lines[0]["message"] == "hồ sơ đã lưu"
    assert lines[0]["request_id"] == "r-1" and lines[0]["agency_id"] == 7
    assert "request_id" not in lines[1]


def test_log_lines_written_inside_a_celery_task_name_it():
    signals.task_prerun.send(sender=dispatch_pending, task_id="t-42", task=dispatch_pending)
    try:
        assert current_log_fields() == {"task": "lms.jobs.tasks.dispatch_pending", "task_id": "t-42"}
    finally:
        signals.task_postrun.send(sender=dispatch_pending, task_id="t-42", task=dispatch_pending)
    assert current_log_fields() == {}


def test_production_settings_log_json_lines_on_stdout():
    code = (
        # Logging configured as django.setup() does it, without loading every app.
        "import logging, lms.settings.production as s; from django.utils.log import configure_logging; "
        "configure_logging('logging.config.dictConfig', s.LOGGING); "
        "log = logging.getLogger('lms.test'); log.warning('xin chào %s', 'bạn', extra={'agency_id': 7})\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n    log.exception('chia cho 0')"
    )
    result = production_python(code)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert {k: first[k] for k in ("level", "logger", "message", "agency_id")} == {
        "level": "WARNING", "logger": "lms.test", "message": "xin chào bạn", "agency_id": 7
    }
    assert second["level"] == "ERROR" and "ZeroDivisionError" in second["exception"]
