import pytest
from django.core.cache import cache

from tests.courses.builders import course_build, index_build
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Structures and site chrome are cached; each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def index(db):
    return index_build()


@pytest.fixture
def course(index):
    return course_build(index=index)


@pytest.fixture
def learner(db):
    return UserFactory(full_name="Nguyễn Thị Ánh", email="anh@example.test")
