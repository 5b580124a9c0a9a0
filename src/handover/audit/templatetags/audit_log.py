"""`{{ event|sentence }}`: an audit event as the sentence that says what it did (audit.sentences)."""

from django import template

from handover.audit import sentences
from handover.audit.models import AuditEvent

register = template.Library()


@register.filter
def sentence(event: AuditEvent) -> str:
    return sentences.sentence(event)
