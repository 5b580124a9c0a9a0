from django.apps import AppConfig


class TermsConfig(AppConfig):
    name = "handover.terms"
    default_auto_field = "django.db.models.BigAutoField"
