"""/api/v1/ endpoints that belong to no single app: who am I, my API tokens."""

import datetime

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from wagtail.models import APIToken

from lms.accounts import ratelimit as lms_ratelimit
from lms.accounts.selectors import roles_active_for

from .auth import session_auth
from .selectors import api_tokens_for
from .services import api_token_create, api_token_revoke

router = Router(tags=["tài khoản"])


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[dict] | None = None


class RoleUnitOut(Schema):
    # Not "UnitOut": the places API has its own (OpenAPI components are named by class).
    id: int
    code: str
    name: str
    level: str


class AgencyOut(Schema):
    id: int
    code: str
    name: str


class RoleOut(Schema):
    id: int
    role: str
    role_label: str
    position: str
    unit: RoleUnitOut | None
    agency: AgencyOut | None
    valid_from: datetime.date
    valid_to: datetime.date | None


class MeOut(Schema):
    id: int
    display_name: str
    roles: list[RoleOut]


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj: APIToken) -> bool:
        return obj.revoked_at is None


class TokenCreatedOut(TokenOut):
    token: str


class CsrfOut(Schema):
    csrf_token: str


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Người đang gọi API và vai trò hiện hành")
def me(request: HttpRequest):
    user = request.user
    assignments = roles_active_for(user=user).select_related("unit", "agency").order_by("role", "id")
    return {
        "id": user.pk,
        "display_name": user.display_name,
        "roles": [
            {
                "id": a.pk,
                "role": a.role,
                "role_label": str(a.get_role_display()),
                "position": a.position,
                "unit": a.unit,
                "agency": a.agency,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
            }
            for a in assignments
        ],
    }


@router.get("/csrf", auth=None, response=CsrfOut, summary="Mã CSRF cho các yêu cầu dùng phiên đăng nhập")
def csrf(request: HttpRequest):
    """Sets the CSRF cookie and returns the value to send as ``X-CSRFToken``."""
    return {"csrf_token": get_token(request)}


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="Các mã truy cập API của tôi")
def tokens_list(request: HttpRequest):
    return api_tokens_for(user=request.user)


@router.post(
    "/tokens",
    auth=session_auth,
    response={201: TokenCreatedOut, **ERRORS, 429: ErrorOut},
    summary="Tạo mã truy cập API (chỉ hiện một lần)",
)
def tokens_create(request: HttpRequest, payload: TokenIn):
    """Only from a logged-in session: a token cannot mint more tokens. The plaintext
    `token` is in this response only; store it now. At most 10 an hour (429 beyond)."""
    if not lms_ratelimit.consume(request, action="api_token_create", user=request.user):
        return Status(429, {"detail": str(lms_ratelimit.TOO_MANY_MESSAGE), "code": "rate_limited"})
    token, plaintext = api_token_create(user=request.user, name=payload.name)
    token.token = plaintext
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, summary="Thu hồi một mã truy cập API")
def tokens_revoke(request: HttpRequest, token_id: int):
    token = get_object_or_404(APIToken, pk=token_id, user=request.user)
    api_token_revoke(token=token, by=request.user)
    return Status(204, None)
