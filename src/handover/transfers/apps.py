from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "handover.transfers"
    default_auto_field = "django.db.models.BigAutoField"
