from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "handover.organizations"
    default_auto_field = "django.db.models.BigAutoField"
