from django.urls import path

from handover.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("mailbox/", views.mailbox, name="mailbox"),
]
