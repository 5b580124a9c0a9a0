from django.contrib import admin
from django.urls import include, path

from handover.accounts.views import email
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
    # allauth's email addresses page, in front of its own: re-authentication before adding one.
    path("accounts/email/", email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
