"""The signed-in person's own pages: their profile and their personal API tokens."""

from typing import Any

from allauth.account.views import EmailView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from handover.accounts import selectors, services
from handover.accounts.forms import ProfileForm, TokenForm
from handover.accounts.reauthentication import reauthenticated, recent_authentication_required
from handover.errors import DomainError
from handover.pages import Question, ask_first, refused


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
@require_http_methods(["GET", "HEAD", "POST"])
def token_revoke(request: HttpRequest, token_id: Any) -> HttpResponse:
    """Revoke one of the user's tokens; a GET asks first."""
    if request.method != "POST":
        token = selectors.live_api_token_get(user=request.user, token_id=token_id)  # type: ignore[arg-type]
        question = Question(
            title=_("Revoke the token %(name)s?") % {"name": token.name},
            consequences=[_("Scripts and tools that use it are refused from now on. This cannot be undone.")],
            button=_("Revoke the token"),
            back=reverse("accounts:tokens"),
        )
        return ask_first(request, question)
    token = services.revoke_api_token(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_required
@require_safe
def email_remove(request: HttpRequest) -> HttpResponse:
    """The confirm step of removing one of the user's email addresses (`?email=`); its button posts
    to allauth's email page, which removes it as it always does."""
    address = selectors.email_address_get(user=request.user, email=request.GET.get("email", ""))  # type: ignore[arg-type]
    question = Question(
        title=_("Remove the email address %(email)s?") % {"email": address.email},
        consequences=[
            _(
                "You can no longer sign in with it, and transfers sent to it can no longer be received "
                "with this account."
            )
        ],
        button=_("Remove the address"),
        back=reverse("account_email"),
        action=reverse("account_email"),
        hidden={"email": address.email, "action_remove": ""},
    )
    return ask_first(request, question)


# allauth's page of the user's email addresses, with the one re-authentication rule before adding one
# (an address receives bound transfer links: a capability). Its other actions are allauth's.
email = recent_authentication_required(
    lambda request: request.method == "POST" and "action_add" in request.POST
)(EmailView.as_view())
