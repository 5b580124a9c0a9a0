from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "handover.webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from handover.webhooks import receivers  # noqa: F401 (connects the receivers)
