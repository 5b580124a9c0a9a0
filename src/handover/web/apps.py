from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "handover.web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from handover.web import security  # noqa: F401 (registers its deployment check)
