"""The project's URLs, plus the certificate pages at /chung-chi/ and the API at
/api/v1/certificates when lms/urls.py and lms/api.py do not mount them yet."""

from django.urls import include, path

from courses.certificates.api import router
from lms import urls as lms_urls
from lms.api import api

API_MOUNTED = any(r is router or r == "courses.certificates.api.router" for _prefix, r in api._routers)
API_PREFIX = "/api/v1/certificates" if API_MOUNTED else "/api-test/v1/certificates"
PAGES_MOUNTED = any(getattr(p, "namespace", None) == "certificates" for p in lms_urls.urlpatterns)

urlpatterns = list(lms_urls.urlpatterns)
if not PAGES_MOUNTED:
    urlpatterns.insert(0, path("chung-chi/", include("courses.certificates.urls")))
if not API_MOUNTED:
    from lms.api import LmsNinjaAPI, Utf8JSONRenderer
    from lms.core.auth import default_auth
    from lms.core.errors import install_error_handlers

    test_api = LmsNinjaAPI(title="certificates test", version="test", urls_namespace="certificates-test-api",
                           auth=default_auth, renderer=Utf8JSONRenderer(), docs_url=None)
    install_error_handlers(test_api)
    test_api.add_router("/v1/certificates", router)
    urlpatterns.insert(0, path("api-test/", test_api.urls))
