from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from handover.organizations.http import SESSION_KEY
from handover.organizations.selectors import memberships_for_user
from handover.web.mailbox import mailbox_enabled, mailbox_messages


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The Manager's entry: the remembered Organization, else the first one, else a prompt to create one."""
    memberships = list(memberships_for_user(user=request.user))  # type: ignore[arg-type]
    remembered = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if str(m.organization_id) == remembered), None)
    chosen = chosen or (memberships[0] if memberships else None)
    if chosen is None:
        return redirect("organizations:create")
    return redirect("products:list", chosen.organization_id)


def mailbox(request: HttpRequest) -> HttpResponse:
    """The local mailbox of the demo; absent unless the mailbox email backend is configured."""
    if not mailbox_enabled():
        raise Http404
    return render(request, "web/mailbox.html", {"mail": mailbox_messages()})
