from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate

from handover.runtime.database import create_cache_tables


class WebConfig(AppConfig):
    name = "handover.web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from handover.web import security  # noqa: F401 (registers its deployment check)

        # Once per migrate, after an app that has models (post_migrate skips those without, as this one):
        # the task queue's, beside whose table the cache's sits.
        post_migrate.connect(create_cache_tables, sender=apps.get_app_config("django_tasks_database"))
