"""The Content-Security-Policy of every response.

Scripts come only from this site's own files (no inline script, no `eval`, no CDN), so that injected
markup cannot run; the pages are never framed (clickjacking), `<base>` cannot be rewritten, and forms
post only to this site. Inline styles stay allowed: htmx and the API docs set style attributes.
Django's SecurityMiddleware and XFrameOptionsMiddleware add the other headers (nosniff,
Referrer-Policy, Cross-Origin-Opener-Policy, X-Frame-Options, and HSTS over HTTPS).

Also the deployment check that mail does not stay in the demo's public mailbox.
"""

from collections.abc import Callable
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.http import HttpRequest, HttpResponse

from handover.web.mailbox import mailbox_enabled

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


@register(Tags.security, deploy=True)
def check_mail_is_not_kept_in_the_local_mailbox(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The demo's local mailbox shows every email, password resets and transfer links included, to
    anyone at /mailbox/: a deployment must send mail through SMTP (EMAIL_URL)."""
    if not mailbox_enabled():
        return []
    return [
        Error(
            "EMAIL_URL is not set: mail goes to the demo's local mailbox, readable by anyone at /mailbox/.",
            hint="Set EMAIL_URL=smtp://user:password@host:port (or smtps://…) for a deployment.",
            id="handover.E001",
        )
    ]
