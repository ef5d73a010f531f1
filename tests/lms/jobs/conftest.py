import pytest

from lms.celery_app import app as celery_app
from tests.factories import UserFactory

from . import handlers  # noqa: F401  (registers the test handlers)


@pytest.fixture
def user(db):
    return UserFactory(full_name="")


@pytest.fixture
def fast_retries(settings):
    settings.JOBS_RETRY_BACKOFF_SECONDS = 0.05
    settings.JOBS_RETRY_BACKOFF_MAX_SECONDS = 0.2


@pytest.fixture
def eager():
    """Jobs run inline (the embedded default) whatever the environment says."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before
