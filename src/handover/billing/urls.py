from django.urls import path

from handover.billing import views

app_name = "billing"
urlpatterns = [
    path("o/<uuid:org_id>/invoices/", views.invoices, name="invoices"),
    path("o/<uuid:org_id>/invoices/<uuid:invoice_id>/", views.invoice, name="invoice"),
]
