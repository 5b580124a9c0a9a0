from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from handover.organizations.http import SESSION_KEY
from handover.organizations.selectors import membership_to_open
from handover.web.mailbox import mailbox_enabled, mailbox_messages


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The Manager's entry: the Organization used last (in this session, else on any device), else a
    prompt to create one."""
    chosen = membership_to_open(user=request.user, remembered=request.session.get(SESSION_KEY))  # type: ignore[arg-type]
    if chosen is None:
        return redirect("organizations:create")
    return redirect("products:list", chosen.organization_id)


def mailbox(request: HttpRequest) -> HttpResponse:
    """The local mailbox of the demo; absent unless the mailbox email backend is configured."""
    if not mailbox_enabled():
        raise Http404
    return render(request, "web/mailbox.html", {"mail": mailbox_messages()})
