"""The offline visit form: app shell, web manifest and service worker (scope
/to-cong-nghe-so/ung-dung/)."""

urlpatterns: list = []
