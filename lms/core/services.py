"""Writes that belong to no single app: personal API tokens.

Tokens are Wagtail's own ``wagtail.models.APIToken`` (only an HMAC of the token is
stored; name, created, last used, revoked at; managed in the Wagtail admin under
Settings → API tokens and by ``manage.py api_tokens``). These services are the one way
our API creates and revokes them, with our rules and the audit log.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import APIToken

from lms.accounts.models import User

MAX_ACTIVE_TOKENS_PER_USER = 20
NAME_MAX_LENGTH = 100


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[APIToken, str]:
    """Create a personal API token for `user`; return it and its plaintext, which is
    never stored and cannot be shown again.

    Rules: the name is required (at most 100 characters after trimming); an inactive
    user gets no token; a user holds at most 20 tokens that are not revoked. The
    creation is written to Wagtail's audit log.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Hãy đặt tên cho mã truy cập.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("Tên mã truy cập dài tối đa %(n)s ký tự.") % {"n": NAME_MAX_LENGTH}})
    if not user.is_active:
        raise PermissionDenied(_("Tài khoản đã bị khoá."))
    # Lock the user's row so two concurrent requests cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if APIToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS_PER_USER:
        raise ValidationError(
            _("Bạn đã có %(n)s mã truy cập đang dùng; hãy thu hồi bớt mã cũ.")
            % {"n": MAX_ACTIVE_TOKENS_PER_USER}
        )
    token, plaintext = APIToken.create_token(user=user, name=name)
    log(token, "wagtail.apitoken.create", user=user, data={"source": "api"})
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, token: APIToken, by: User) -> APIToken:
    """Revoke a token: from then on it authenticates nobody.

    Rules: only its owner or a superuser may revoke it; revoking twice keeps the first
    revocation time. The revocation is written to Wagtail's audit log.
    """
    if token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("Bạn không thể thu hồi mã truy cập của người khác."))
    if APIToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        log(token, "wagtail.apitoken.revoke", user=by, data={"source": "api"})
    token.refresh_from_db(fields=["revoked_at"])
    return token
