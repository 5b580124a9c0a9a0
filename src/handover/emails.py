"""Email rendering: one template folder per email (`subject.txt`, `body.txt`, `body.html`), rendered in
the recipient's language."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def build_email(
    folder: str, context: dict[str, Any], *, to: str, language: str = ""
) -> EmailMultiAlternatives:
    """The message of template folder `folder` (e.g. "transfers/email/transfer-link") for one recipient."""
    context = {"base_url": settings.BASE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{folder}/subject.txt", context).strip().replace("\n", " ")
        text = render_to_string(f"{folder}/body.txt", context)
        html = render_to_string(f"{folder}/body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message
