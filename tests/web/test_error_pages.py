"""The product's own error pages: in the site's layout and the user's language, never Django's bare
English ones; the 500 page renders even when the database does not answer."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import path

from handover.urls import handler500, urlpatterns


def _fail(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("boom/", _fail)]
__all__ = ["handler500", "urlpatterns"]  # this module is the URL configuration of the last test


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("en", "Not found"), ("fr", "Introuvable")])
def test_an_unknown_page_answers_the_products_404_in_the_users_language(client, language, title):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)

    page = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in page
    assert f"<h1>{title}</h1>" in page
    assert "web/handover.css" in page


def test_a_signed_in_users_404_keeps_the_sidebar(client, owner, org):
    client.force_login(owner)
    page = client.get(f"/o/{org.id}/no/such/page/").content.decode()
    assert 'class="sidebar"' in page and "Not found" in page


def test_a_refused_csrf_check_answers_the_products_403(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert "web/handover.css" in response.content.decode()


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_failure_answers_the_products_500_without_the_database(monkeypatch):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")

    def no_database(*args, **kwargs):
        raise AssertionError("the 500 page queried the database")

    with connection.execute_wrapper(no_database):
        response = client.get("/boom/")

    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in page and "web/handover.css" in page
    assert "a bug" not in page
