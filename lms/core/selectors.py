"""Reads that belong to no single app: personal API tokens."""

from django.db.models import QuerySet
from wagtail.models import APIToken

from lms.accounts.models import User


def api_tokens_for(*, user: User) -> QuerySet[APIToken]:
    """The user's API tokens, newest first, revoked ones included."""
    return APIToken.objects.filter(user=user).order_by("-created", "-id")
