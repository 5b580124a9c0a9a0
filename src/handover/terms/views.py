from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from handover.terms.selectors import current_conditions


def current(request: HttpRequest) -> HttpResponse:
    """The general conditions in force, readable by anyone, signed in or not."""
    return render(request, "terms/current.html", {"conditions": current_conditions()})
