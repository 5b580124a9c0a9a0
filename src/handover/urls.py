from django.contrib import admin
from django.urls import include, path

from handover.api import api

urlpatterns = [
    path("", include("handover.web.urls")),
    path("", include("handover.accounts.urls")),
    path("", include("handover.organizations.urls")),
    path("", include("handover.products.urls")),
    path("", include("handover.billing.urls")),
    path("", include("handover.audit.urls")),
    path("", include("handover.transfers.urls")),
    path("", include("handover.terms.urls")),
    path("", include("handover.webhooks.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
