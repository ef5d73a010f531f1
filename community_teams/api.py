"""JSON API for community teams and the offline visit form. Mounted at /api/v1/
(operations: /api/v1/visits/sync, /api/v1/teams/…)."""

from ninja import Router

router = Router(tags=["community_teams"])
