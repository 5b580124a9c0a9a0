"""What every web page shares, whichever app it belongs to: how an action runs and how a refusal of
the domain is shown, and how forms and fields are rendered.

It knows no app (only Django and `handover.errors`), so the views of every app may import it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from handover.errors import DomainError


def refused(
    request: HttpRequest, exc: DomainError, page: Callable[[int], HttpResponse], form: Form | None = None
) -> HttpResponse:
    """Show why the domain refused, and render `page` again with the error's status: nothing changed.

    Each of the error's `fields` that `form` has becomes that field's error; when none does, its
    `detail` becomes an error message of the page. A refusal for too many attempts says when to come
    back (Retry-After).
    """
    placed = [name for name in exc.fields if form is not None and name in form.fields]
    for name in placed:
        form.add_error(name, str(exc.fields[name]))  # type: ignore[union-attr]
    if not placed:
        messages.error(request, exc.detail)
    response = page(exc.status)
    if retry_after := getattr(exc, "retry_after", None):
        response["Retry-After"] = str(retry_after)
    return response


def act(
    request: HttpRequest,
    call: Callable[[], Any],
    *,
    page: Callable[[int], HttpResponse],
    success: str | Callable[[Any], str],
    then: tuple[Any, ...],
    form: Form | None = None,
) -> HttpResponse:
    """Run one service call: refused, show why on `page` (see `refused`); done, say `success` (or what
    it makes of the call's result) and redirect to `then` (`redirect`'s arguments)."""
    try:
        result = call()
    except DomainError as exc:
        return refused(request, exc, page, form)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(*then)


def invalid(request: HttpRequest, page: Callable[[int], HttpResponse], message: str) -> HttpResponse:
    """A form that does not parse: say `message` and render `page` again, 400."""
    messages.error(request, message)
    return page(400)


@dataclass(frozen=True)
class Question:
    """What the confirm step of a destructive or capability-killing action asks.

    `title` is the question ("Remove Claire from Alpine Bakery?"), `consequences` what doing it
    changes, `button` the words of the one button that does it, `back` where "No" leads. `form` holds
    what is asked with it (a reason); `action` is where the button posts (the step's own address when
    empty) and `hidden` what it posts along, for an action that another view performs (allauth's).
    """

    title: str
    consequences: Sequence[str]
    button: str
    back: str
    form: Form | None = None
    action: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    nav: str = ""


def ask_first(request: HttpRequest, question: Question, status: int = 200) -> HttpResponse:
    """The confirm step every destructive or capability-killing action of the pages goes through.

    The page's button is a link to the action's address; a GET there answers this page ("Are you
    sure…", what it changes, one POST button and a way back), and only the POST acts. It needs no
    JavaScript, and a refused or invalid POST shows it again with why.
    """
    return render(request, "web/confirm.html", {"question": question, "nav": question.nav}, status=status)


class FormRenderer(DjangoTemplates):
    """Every form and every field of the pages through the project's templates: a field is its label,
    its help text and its errors tied to its input (aria-describedby), a form's own errors a banner."""

    form_template_name = "web/form.html"
    field_template_name = "web/field.html"
