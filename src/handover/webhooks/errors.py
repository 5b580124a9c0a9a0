"""What can go wrong with a webhook endpoint, each with the stable code the API answers and the web shows."""

from django.utils.translation import gettext_lazy as _

from handover.errors import Conflict, NotFound, RuleRefused


class WebhookUrlRefused(RuleRefused):
    """The URL's form, scheme or addresses (`fields["url"]` says which) may not receive webhooks."""

    code = "webhook_url_refused"
    message = _("This URL cannot receive webhooks: see `fields`.")


class TooManyWebhooks(Conflict):
    code = "webhook_limit_reached"
    message = _("An Organization has at most %(limit)s webhook endpoints. Delete one first.")


class WebhookNotFound(NotFound):
    message = _("No such webhook endpoint in this Organization.")
