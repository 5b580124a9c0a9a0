import re

from django.urls import URLPattern, URLResolver, get_resolver


def resolver_routes() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern of Django's resolver, the name with its namespace."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (
                    ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                )
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield (
                    prefix + str(pattern.pattern),
                    (f"{namespace}:" if namespace else "") + (pattern.name or ""),
                )

    return list(walk(get_resolver().url_patterns))


def route_parameters(route: str) -> list[str]:
    """The names of a route's parameters, e.g. ["org_id", "transfer_id"]."""
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]
