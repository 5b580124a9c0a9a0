"""The Content-Security-Policy of every response.

Scripts come only from this site's own files (no inline script, no `eval`, no CDN), so that injected
markup cannot run; the pages are never framed (clickjacking), `<base>` cannot be rewritten, and forms
post only to this site. Inline styles stay allowed: htmx and the API docs set style attributes.
Django's SecurityMiddleware and XFrameOptionsMiddleware add the other headers (nosniff,
Referrer-Policy, Cross-Origin-Opener-Policy, X-Frame-Options, and HSTS over HTTPS).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds CONTENT_SECURITY_POLICY to every response that does not set a policy of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
