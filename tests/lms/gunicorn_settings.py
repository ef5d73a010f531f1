"""Settings for tests/lms/test_gunicorn.py: the test settings plus one slow page."""

from lms.settings.test import *  # noqa: F401,F403

ROOT_URLCONF = "tests.lms.extra_urls"
