from django.urls import path

from handover.web import operations, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("mailbox/", views.mailbox, name="mailbox"),
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
]
