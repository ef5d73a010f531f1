from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from courses.routing import page_serve
from lms.accounts.views import login_redirect
from lms.api import api

urlpatterns = [
    # Every login goes through allauth (rate limits, lockout, two-factor codes): the
    # Django and Wagtail admin login forms only send people there.
    path("django-admin/login/", login_redirect),
    path("admin/login/", login_redirect),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("lms.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("don-vi-hanh-chinh/", include("lms.places.urls")),
    path("hoc-tap/", include("courses.urls")),
    path("chung-chi/", include("courses.certificates.urls")),
    path("danh-gia/", include("assessments.urls")),
    path("danh-gia/", include("assessments.quizzes.urls")),
    path("boi-duong/tuan-thu/", include("courses.compliance.urls")),
    path("boi-duong/", include("courses.training.urls")),
    path("to-cong-nghe-so/", include("community_teams.urls")),
    path("quyen-rieng-tu/", include("lms.privacy.urls")),
    path("chi-so/", include("community_teams.indicators.urls")),
    path("nhat-ky-truy-cap/", include("lms.audit.urls")),
    path("api/", api.urls),
    path("", include("lms.core.urls")),
    path("", include("content.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving catches everything else: keep it last. Through courses.routing,
# so course and lesson pages are routed from the cache (same pattern and name:
# reverse("wagtail_serve") is unchanged).
urlpatterns += [
    *wagtail_urls.urlpatterns[:-1],
    re_path(wagtail_urls.serve_pattern, page_serve, name="wagtail_serve"),
]
