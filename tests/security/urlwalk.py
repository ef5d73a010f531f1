"""Walk the project's URL resolver and the API schema: what the matrix must cover."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Our own apps: a URL pattern declared in a URLconf of these packages needs a matrix
# entry. (The JSON API is mounted from a list, not a module: it is covered operation by
# operation from the OpenAPI document; Wagtail, allauth and Django's admin by a sample.)
OWN_PACKAGES = ("lms.", "content.", "courses.", "assessments.", "community_teams.")


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the route for an unnamed pattern
    route: str  # the full route, as written in the URLconfs
    module: str  # the URLconf module that declares it


def _urlconf_module(resolver: URLResolver) -> str:
    conf = resolver.urlconf_name
    if isinstance(conf, str):
        return conf
    return getattr(conf, "__name__", "")  # a module; a plain list (the API) has none


def _walk(patterns, prefix: str = "", namespace: str = "", module: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns, _urlconf_module(p))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if (namespace and p.name) else (p.name or "")
            yield Pattern(key=name or route, route=route, module=module)


def own_patterns() -> list[Pattern]:
    """Every URL pattern declared in one of our URLconfs (the API's aside)."""
    seen: dict[str, Pattern] = {}
    for p in _walk(get_resolver().url_patterns, module=get_resolver().urlconf_name):
        if p.module.startswith(OWN_PACKAGES) and p.module != "lms.urls":
            seen.setdefault(p.key, p)
    return sorted(seen.values(), key=lambda p: p.key)


def api_operations() -> list[str]:
    """"METHOD /api/v1/path" for every operation of the OpenAPI document."""
    from lms.api import api

    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
    )
