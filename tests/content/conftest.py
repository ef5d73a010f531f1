import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The header and footer are cached; each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()
