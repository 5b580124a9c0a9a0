from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "handover.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from handover.accounts import receivers  # noqa: F401 (connects the receivers)
