"""Email rendering: one template folder per email (`subject.txt`, `body.txt`, `body.html`), rendered in
the recipient's language.

Plain text is not HTML: subjects and text bodies are rendered without autoescaping ("Smith & Sons",
not "Smith &amp; Sons"); only the HTML part escapes what it shows. `render_text` is the one way to
render a text part, for Handover's emails and allauth's alike (see accounts/adapter.py).
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """`template_name` rendered as plain text: no value of `context` is HTML-escaped."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return template.render(Context(context, autoescape=False))


def _subject(text: str) -> str:
    """A subject: one line, whatever line breaks its template left."""
    return " ".join(text.split())


def build_email(
    folder: str, context: dict[str, Any], *, to: str, language: str = ""
) -> EmailMultiAlternatives:
    """The message of template folder `folder` (e.g. "transfers/email/transfer-link") for one recipient."""
    context = {"base_url": settings.BASE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _subject(render_text(f"{folder}/subject.txt", context))
        text = render_text(f"{folder}/body.txt", context)
        html = render_to_string(f"{folder}/body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message
