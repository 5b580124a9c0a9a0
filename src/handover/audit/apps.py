from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "handover.audit"
    default_auto_field = "django.db.models.BigAutoField"
