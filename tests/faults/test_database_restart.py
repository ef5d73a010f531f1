"""A database restart during a sync batch leaves all of the batch or none, and the phone's
retry stores it exactly once.

The database is a throwaway PostgreSQL holding a copy of the migrated test database
(tests/faults/conftest.py); Django's default connection points at it for the test. The
restart is real (pg_ctl restart -m immediate: every connection is cut, every open
transaction lost), triggered from inside the sync's transaction, after its inserts and
before its commit.
"""

import json

import pytest
from django.test import Client

from community_teams.hooks import on_visits_received, on_visits_received_unregister
from lms.jobs.models import OutboxJob

from .conftest import default_database_at
from .data import team_world, visit_counts, visit_items

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SYNC = "/api/v1/visits/sync"


def _send(client: Client, token: str, items: list[dict]):
    return client.post(
        SYNC, json.dumps({"visits": items}), content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {token}",
    )


def test_database_restart_during_a_sync_batch(throwaway_postgres):
    server = throwaway_postgres
    with default_database_at(server):
        world = team_world(villages=1, households=3)
        team = world["villages"][0]
        items = visit_items(team["households"], per_household=4)  # 12 visits
        before = visit_counts()
        jobs_before = OutboxJob.objects.count()
        client = Client(raise_request_exception=False)

        restarts = []

        def restart_before_commit(*, village_ids):
            # Every visit, its residents, activities and observations are inserted by now.
            if not restarts:
                restarts.append(village_ids)
                server.restart()

        on_visits_received(restart_before_commit)
        try:
            response = _send(client, team["token"], items)
        finally:
            on_visits_received_unregister(restart_before_commit)
        assert restarts == [[team["village"].pk]]
        # The phone gets a clear answer it can act on: try again later. Nothing was kept.
        assert response.status_code == 503, response.content
        assert response["Retry-After"] == "30"
        body = response.json()
        assert body["code"] == "unavailable"
        assert body["detail"] == "Máy chủ tạm thời không kết nối được cơ sở dữ liệu. Hãy thử lại sau ít phút."
        assert visit_counts() == before
        assert OutboxJob.objects.count() == jobs_before  # the rollup refresh went with it

        # The phone retries the same batch: all of it is stored, once.
        response = _send(client, team["token"], items)
        assert response.status_code == 200, response.content
        assert [r["status"] for r in response.json()["results"]] == ["created"] * 12, response.json()
        stored = visit_counts()
        assert stored == (before[0] + 12, before[1] + 12, before[2] + 24, before[3] + 12)

        # The server restarts after the batch was committed but before the phone heard the
        # answer: the phone sends it again and nothing is stored twice.
        server.restart()
        response = _send(client, team["token"], items)
        assert response.status_code == 200, response.content
        assert [r["status"] for r in response.json()["results"]] == ["duplicate"] * 12
        assert visit_counts() == stored
