from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "handover.transfers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from handover.transfers import receivers  # noqa: F401 (connects the receivers)
