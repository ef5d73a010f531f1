"""JSON API for mandatory training. Mounted at /api/v1/training."""

from ninja import Router

router = Router(tags=["training"])
