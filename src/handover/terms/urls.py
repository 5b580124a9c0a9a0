from django.urls import path

from handover.terms import views

app_name = "terms"
urlpatterns = [
    path("terms/", views.current, name="current"),
]
