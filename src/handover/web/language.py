"""The language a signed-in person chose on their profile wins over their browser's."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """Activates `User.language` for a signed-in user's request; without one, LocaleMiddleware's choice
    (language cookie, then Accept-Language) stands. Placed after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # A profile saved in another browser has no cookie here: the account is what knows the choice.
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language in self.languages:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
