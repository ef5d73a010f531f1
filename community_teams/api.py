"""JSON API for community teams and the offline visit form. Mounted at /api/v1/
(operations: /api/v1/visits/sync, /api/v1/teams/…). The contract with the offline app:
docs/community-teams.md.

Device authentication: ``Authorization: Device <token>`` (a token from
``POST /api/v1/teams/devices``; only its digest is stored). An unknown, revoked or
expired (30 days without a sync) token answers 401 with code ``device_unknown``,
``device_revoked`` or ``device_expired``, so the app knows to wipe its register.

A register download that carries households writes one row to the audit log (lms.audit).
"""

import json
import logging
import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from lms import audit
from lms.accounts import ratelimit as lms_ratelimit
from lms.core.api import ErrorOut
from lms.core.auth import session_auth
from lms.core.errors import json_error

from .models import Device
from .selectors import cursor_decode, member_villages, sync_data_for_member
from .services import DeviceRefused, device_authenticate, device_register, device_revoke, device_synced
from .sync import MAX_BATCH, visit_batch_sync

router = Router(tags=["community_teams"])
access_log = logging.getLogger("community_teams.access")

# The purpose written to the audit log when a phone downloads a village register.
REGISTER_PURPOSE = "Hỗ trợ hộ gia đình trong thôn của tổ (tải sổ hộ về thiết bị)"


class DeviceAuth(APIKeyHeader):
    """``Authorization: Device <token>``. Without that scheme it gives way to the next
    authentication (the session); with it, a bad token is refused with its reason."""

    param_name = "Authorization"
    openapi_description = "Authorization: Device <token>"

    def authenticate(self, request: HttpRequest, key: str | None):
        if not key or not key.startswith("Device "):
            return None
        if lms_ratelimit.exhausted(request, action="api_token_failed"):
            raise HttpError(429, str(lms_ratelimit.TOO_MANY_MESSAGE))
        try:
            device = device_authenticate(token=key.removeprefix("Device ").strip())
        except DeviceRefused:
            lms_ratelimit.consume(request, action="api_token_failed")
            _install_device_refused_handler()
            raise
        request.user = device.user
        request.device = device
        return device


device_auth = DeviceAuth()


def _install_device_refused_handler() -> None:
    """A refused device answers 401 with its own code (device_unknown, device_revoked,
    device_expired). Installed on the project's API the first time it is needed, from
    request time (lms.api is loaded by then: it routed the request here)."""
    from lms.api import api

    if DeviceRefused in api._exception_handlers:
        return

    def handle(request: HttpRequest, exc: DeviceRefused) -> HttpResponse:
        response = json_error(api, request, 401, exc.message, exc.code)
        response["WWW-Authenticate"] = 'Device realm="api"'
        return response

    api.add_exception_handler(DeviceRefused, handle)


def _error(request: HttpRequest, status: int, detail: str, code: str) -> HttpResponse:
    from lms.api import api

    return json_error(api, request, status, detail, code)


def _caller(request: HttpRequest):
    """(user, device or None) whichever authentication let the request in."""
    device = request.auth if isinstance(request.auth, Device) else None
    return (device.user if device else request.auth), device


class DeviceIn(Schema):
    name: str = ""


class VillageOut(Schema):
    id: int
    name: str
    commune: str


class UserOut(Schema):
    id: int
    name: str


class DeviceOut(Schema):
    device_id: uuid.UUID
    token: str
    user: UserOut
    villages: list[VillageOut]


@router.post(
    "/teams/devices",
    auth=session_auth,
    response={201: DeviceOut, 403: ErrorOut, 429: ErrorOut},
    summary="Sign a phone in to the offline visit form",
)
def device_create(request: HttpRequest, payload: DeviceIn):
    """Session + CSRF. Returns the device token once (only its digest is stored).
    At most 10 an hour per person (429 beyond)."""
    if not lms_ratelimit.consume(request, action="device_pair", user=request.auth):
        return Status(429, {"detail": str(lms_ratelimit.TOO_MANY_MESSAGE), "code": "rate_limited"})
    try:
        device, token = device_register(user=request.auth, name=payload.name)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc), "code": "not_team_member"})
    villages = member_villages(user=request.auth)
    return Status(
        201,
        {
            "device_id": device.pk,
            "token": token,
            "user": {"id": request.auth.pk, "name": request.auth.display_name},
            "villages": [{"id": v.pk, "name": v.name, "commune": v.parent.name} for v in villages],
        },
    )


@router.delete(
    "/teams/devices/{device_id}",
    auth=[device_auth, session_auth],
    response={204: None},
    summary="Revoke a device",
)
def device_delete(request: HttpRequest, device_id: uuid.UUID):
    user, _device = _caller(request)
    device = get_object_or_404(Device, pk=device_id, user=user)
    device_revoke(device=device, by=user)
    return Status(204, None)


@router.get("/teams/sync-data", auth=[device_auth, session_auth], summary="Download the village register")
def sync_data(request: HttpRequest, since: str = ""):
    """Villages, households (all, or changed since the cursor), activities, courses."""
    user, device = _caller(request)
    if not member_villages(user=user):
        return _error(request, 403, _("Bạn không còn là thành viên tổ công nghệ số."), "not_team_member")
    moment = cursor_decode(since) if since else None
    if since and moment is None:
        return _error(request, 422, _("Mốc đồng bộ không hợp lệ; hãy tải lại toàn bộ."), "invalid_cursor")
    data = sync_data_for_member(user=user, since=moment, language=get_language() or "vi")
    access_log.info(
        "register download: %d households of villages %s by user %s, device %s",
        len(data["households"]),
        [v["id"] for v in data["villages"]],
        user.pk,
        device.pk if device else "-",
    )
    _audit_register_download(request, data=data, device=device, since=since)
    if device is not None:
        device_synced(device=device)
    return data


def _audit_register_download(request: HttpRequest, *, data: dict, device, since: str) -> None:
    """One audit row per download that carries personal data (households' labels and
    address hints, residents' birth years and sex), not one per household: the row names
    the villages and the counts. A change-only download with no live household (nothing
    changed, or only deletions, which come without personal data) writes nothing."""
    live = [h for h in data["households"] if not h["deleted"]]
    if not live:
        return
    villages = sorted({h["village_id"] for h in live})
    audit.record(
        actor=request.user,
        action=audit.PERSONAL_DATA_EXPORT,
        target=("places.administrativeunit", villages[0]) if len(villages) == 1 else None,
        purpose=REGISTER_PURPOSE,
        request=request,
        detail={
            "method": request.method,
            "villages": villages,
            "households": len(live),
            "residents": sum(len(h["residents"]) for h in live),
            "full": not since,
            "device": str(device.pk) if device is not None else None,
        },
    )


@router.post("/visits/sync", auth=[device_auth, session_auth], summary="Send a batch of visits")
def visits_sync(request: HttpRequest):
    """Body {"visits": [...]} (at most 500). One result per item, in order: created
    (201), duplicate (200), conflict (409) or invalid (422); see docs/community-teams.md."""
    user, device = _caller(request)
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _error(request, 422, _("Không đọc được nội dung gửi lên (JSON không hợp lệ)."), "parse_error")
    visits = body.get("visits") if isinstance(body, dict) else None
    if not isinstance(visits, list):
        return _error(request, 422, _("Cần một danh sách lượt thăm trong trường “visits”."), "invalid")
    if len(visits) > MAX_BATCH:
        return _error(
            request, 422, _("Mỗi lần gửi tối đa %(max)d lượt thăm.") % {"max": MAX_BATCH}, "too_many"
        )
    try:
        outcome = visit_batch_sync(member=user, device=device, items=visits)
    except PermissionDenied as exc:
        return _error(request, 403, str(exc), "not_team_member")
    return outcome.as_dict()
