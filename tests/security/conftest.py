"""The shared world of tests/security: built once per module (and xdist process)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from lms.core.services import api_token_create
from tests.security.world import world_build


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module (and xdist process) in a transaction rolled back at the end."""
    with django_db_blocker.unblock():
        cache.clear()
        with transaction.atomic():
            objects = world_build()
            sessions, tokens = {}, {}
            for role, user in objects["users"].items():
                client = Client()
                client.force_login(user)
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
                tokens[role] = api_token_create(user=user, name="Ma trận phân quyền")[1]
            yield objects, sessions, tokens
            transaction.set_rollback(True)
        cache.clear()
