"""The site's URLs plus two test-only pages: /slow/ takes a moment (graceful shutdown,
tests/lms/test_gunicorn.py) and /boom/ fails (error logs, tests/lms/test_logging.py)."""

import os
import time
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from lms.urls import urlpatterns as site_urlpatterns


def slow(request):
    Path(os.environ["SLOW_MARKER"]).touch()  # tells the test the request is in flight
    time.sleep(float(os.environ.get("SLOW_SECONDS", "2")))
    return HttpResponse("done", content_type="text/plain")


def boom(request):
    raise RuntimeError("hỏng giữa chừng")


urlpatterns = [path("slow/", slow), path("boom/", boom), *site_urlpatterns]
