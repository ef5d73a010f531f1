"""`audited`: record every successful access to a view that shows personal data."""

import functools

from .models import AuditAction
from .services import record


def _is_download(response) -> bool:
    return "attachment" in response.get("Content-Disposition", "")


def audited(*, purpose: str, target=None, action: str | None = None, methods=("GET", "POST")):
    """Record an access when the view answers 200.

    `target`: None, a callable (request, **view_kwargs) -> target, or a pair
    ("app.model", "kwarg_name") naming the view argument that holds the id. The action
    is PERSONAL_DATA_EXPORT for a download (Content-Disposition: attachment), otherwise
    PERSONAL_DATA_VIEW, unless given. Only requests of `methods` are recorded (an
    import's preview is a POST; its empty form, a GET, shows nobody). Nothing is
    recorded for refusals (403/404), redirects (to the login page, after a form) or
    errors.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or request.method not in methods:
                return response
            if callable(target):
                what = target(request, **kwargs)
            elif target is not None:
                kind, kwarg = target
                what = (kind, kwargs.get(kwarg))
            else:
                what = None
            download = _is_download(response)
            detail = {"method": request.method}
            if download:
                detail["file"] = response.get("Content-Disposition", "")[:200]
            record(
                action=action
                or (AuditAction.PERSONAL_DATA_EXPORT if download else AuditAction.PERSONAL_DATA_VIEW),
                target=what,
                purpose=purpose,
                request=request,
                detail=detail,
            )
            return response

        return wrapper

    return decorate
