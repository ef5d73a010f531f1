"""The JSON API: /api/v1/…, OpenAPI at /api/openapi.json, interactive docs at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Kỹ năng số API",
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
