import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import APIToken, ModelLogEntry

from lms.core import services
from lms.core.selectors import api_tokens_for
from lms.core.services import api_token_create, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_stores_a_digest_and_logs(monkeypatch):
    user = UserFactory()
    token, plaintext = api_token_create(user=user, name=" Ứng dụng di động ")
    assert token.name == "Ứng dụng di động" and token.user == user
    assert plaintext not in token.key_hash and plaintext.startswith(token.prefix)
    assert ModelLogEntry.objects.filter(action="wagtail.apitoken.create", object_id=str(token.pk)).exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_bad_names_are_refused(name):
    with pytest.raises(ValidationError) as exc:
        api_token_create(user=UserFactory(), name=name)
    assert "name" in exc.value.message_dict


def test_inactive_users_get_no_token():
    with pytest.raises(PermissionDenied):
        api_token_create(user=UserFactory(is_active=False), name="x")


def test_active_tokens_are_limited(monkeypatch):
    monkeypatch.setattr(services, "MAX_ACTIVE_TOKENS_PER_USER", 2)
    user = UserFactory()
    first, _ = api_token_create(user=user, name="1")
    api_token_create(user=user, name="2")
    with pytest.raises(ValidationError):
        api_token_create(user=user, name="3")
    api_token_revoke(token=first, by=user)
    api_token_create(user=user, name="3")  # a revoked token frees a place
    assert api_tokens_for(user=user).count() == 3


def test_only_the_owner_or_a_superuser_revokes():
    owner, stranger = UserFactory(), UserFactory()
    token, _ = api_token_create(user=owner, name="x")
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, by=stranger)
    token.refresh_from_db()
    assert token.revoked_at is None
    api_token_revoke(token=token, by=UserFactory(is_superuser=True))
    first_revocation = token.revoked_at = APIToken.objects.get(pk=token.pk).revoked_at
    assert first_revocation is not None
    api_token_revoke(token=token, by=owner)
    assert APIToken.objects.get(pk=token.pk).revoked_at == first_revocation
