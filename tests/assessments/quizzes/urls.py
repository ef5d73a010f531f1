"""URLs for the quiz tests: the project's, plus the quiz pages and a test API carrying the
quizzes router, until the project mounts them (assessments/urls.py, lms/api.py)."""

from django.urls import include, path

from lms import urls as project_urls
from lms.api import LmsNinjaAPI, Utf8JSONRenderer
from lms.core.auth import default_auth
from lms.core.errors import install_error_handlers

API_PREFIX = "/test-api/v1/quizzes"

test_api = LmsNinjaAPI(
    title="quizzes (tests)",
    version="test",
    urls_namespace="quizzes-test-api",
    auth=default_auth,
    renderer=Utf8JSONRenderer(),
    docs_url=None,
)
install_error_handlers(test_api)
test_api.add_router("/v1/quizzes", "assessments.quizzes.api.router")

urlpatterns = [
    path("danh-gia/", include("assessments.quizzes.urls")),
    path("test-api/", test_api.urls),
    *project_urls.urlpatterns,
]
