from django.urls import path

from handover.transfers import views

app_name = "transfers"
urlpatterns = [
    path("o/<uuid:org_id>/transfers/", views.transfer_list, name="list"),
    path("o/<uuid:org_id>/transfers/new/", views.start_transfer, name="start"),
    path("o/<uuid:org_id>/transfers/new/selection.csv", views.selection_csv, name="selection_csv"),
    path("o/<uuid:org_id>/transfers/<uuid:transfer_id>/", views.transfer_detail, name="detail"),
    path(
        "o/<uuid:org_id>/transfers/<uuid:transfer_id>/products.csv",
        views.transfer_products_csv,
        name="products_csv",
    ),
    path("o/<uuid:org_id>/transfers/<uuid:transfer_id>/rotate/", views.transfer_rotate, name="rotate"),
    path("o/<uuid:org_id>/transfers/<uuid:transfer_id>/send/", views.transfer_send, name="send"),
    path("o/<uuid:org_id>/transfers/<uuid:transfer_id>/complete/", views.transfer_complete, name="complete"),
    path("o/<uuid:org_id>/transfers/<uuid:transfer_id>/cancel/", views.transfer_cancel, name="cancel"),
    path("transfers/receive/<str:token>", views.receive_link, name="receive_link"),
    path("transfers/receive/", views.receive_transfer, name="receive"),
    path("transfers/receive/decline/", views.decline, name="decline"),
    path("transfers/waiting/<uuid:transfer_id>/", views.receive_waiting, name="receive_waiting"),
]
