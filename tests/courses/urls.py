"""The project's URLs, plus the courses API under /api/v1/courses when lms/api.py does
not mount it yet (so these tests run before and after it is mounted)."""

from django.urls import path

from courses.api import router
from lms import urls as lms_urls
from lms.api import api

MOUNTED = any(r is router for _prefix, r in api._routers)
API_PREFIX = "/api/v1/courses" if MOUNTED else "/api-test/v1/courses"

if MOUNTED:
    urlpatterns = list(lms_urls.urlpatterns)
else:
    from lms.api import LmsNinjaAPI, Utf8JSONRenderer
    from lms.core.auth import default_auth
    from lms.core.errors import install_error_handlers

    test_api = LmsNinjaAPI(
        title="courses test",
        version="test",
        urls_namespace="courses-test-api",
        auth=default_auth,
        renderer=Utf8JSONRenderer(),
        docs_url=None,
    )
    install_error_handlers(test_api)
    test_api.add_router("/v1/courses", router)
    urlpatterns = [path("api-test/", test_api.urls), *lms_urls.urlpatterns]
