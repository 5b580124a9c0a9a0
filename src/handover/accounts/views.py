"""The signed-in person's own pages: their profile and their personal API tokens."""

from typing import Any

from allauth.account.views import EmailView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from handover.accounts import selectors, services
from handover.accounts.forms import ProfileForm, TokenForm
from handover.accounts.reauthentication import reauthenticated, recent_authentication_required
from handover.errors import DomainError
from handover.pages import refused


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"name": user.name, "language": user.language})  # type: ignore[union-attr]

    def page(status: int = 200) -> HttpResponse:
        context = {"form": form, "has_password": user.has_usable_password()}  # type: ignore[union-attr]
        return render(request, "accounts/profile.html", context, status=status)

    if request.method != "POST":
        return page()
    if not form.is_valid():
        return page(400)
    try:
        services.update_profile(user=user, **form.cleaned_data)  # type: ignore[arg-type]
    except DomainError as exc:
        return refused(request, exc, page, form)
    language = form.cleaned_data["language"]
    translation.activate(language or settings.LANGUAGE_CODE)
    messages.success(request, _("Your profile was saved."))
    response = redirect("accounts:profile")
    # The pages follow the chosen language at once; without one, the browser's again.
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


def _tokens_page(
    request: HttpRequest, *, form: TokenForm | None = None, secret: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "form": form or TokenForm(),
        "tokens": selectors.api_tokens_for_user(user=request.user),  # type: ignore[arg-type]
        "secret": secret,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@reauthenticated
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _tokens_page(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form=form, status=400)
    try:
        _token, secret = services.create_api_token(user=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
    except DomainError as exc:
        return refused(request, exc, lambda status: _tokens_page(request, form=form, status=status), form)
    # The secret is shown in this answer only, never stored nor redirected through the session.
    response = _tokens_page(request, secret=secret, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: Any) -> HttpResponse:
    token = services.revoke_api_token(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


# allauth's page of the user's email addresses, with the one re-authentication rule before adding one
# (an address receives bound transfer links: a capability). Its other actions are allauth's.
email = recent_authentication_required(
    lambda request: request.method == "POST" and "action_add" in request.POST
)(EmailView.as_view())
