"""Teams of a domain (right `can_manage_users`): campaigns are given to teams, not to users."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptoir.tenancy import actions
from comptoir.tenancy.models import Team
from comptoir.ui.administration.forms import TeamForm
from comptoir.ui.common.access import current_user, require_right, user_managers_only
from comptoir.ui.common.confirm import confirmation_page
from comptoir.ui.common.pages import GET_POST, render_page


def managed_team(request: HttpRequest, team_id: int) -> Team:
    manager = require_right(request, "can_manage_users")
    return get_object_or_404(Team, domain_id=manager.domain_id, pk=team_id)


@user_managers_only
@require_http_methods(["GET"])
def team_list(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    teams = (
        Team.objects.filter(domain_id=me.domain_id)
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related("agent_campaigns", "supervised_campaigns")
        .order_by("name")
    )
    return render_page(request, "ui/people/team_list.html", {"teams": teams})


@user_managers_only
@require_http_methods(GET_POST)
def team_create(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    form = TeamForm(request.POST or None, team=None, domain_id=me.domain_id)
    if request.method == "POST" and form.is_valid():
        try:
            team = actions.create_team(me.domain, name=form.cleaned_data["name"])
        except actions.PeopleError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request, _("The team “%(name)s” is created: add its members.") % {"name": team}
            )
            return redirect("ui:team_edit", team.pk)
    return render_page(request, "ui/people/team_form.html", {"form": form, "team": None})


@user_managers_only
@require_http_methods(GET_POST)
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = managed_team(request, team_id)
    initial = {"name": team.name, "members": list(team.members.filter(is_active=True))}
    form = TeamForm(request.POST or None, team=team, domain_id=team.domain_id, initial=initial)
    if request.method == "POST" and form.is_valid() and save_team(team, form):
        messages.success(request, _("Changes saved."))
        return redirect("ui:team_edit", team.pk)
    context = {
        "form": form,
        "team": team,
        "agent_campaigns": team.agent_campaigns.order_by("name"),
        "supervised_campaigns": team.supervised_campaigns.order_by("name"),
    }
    return render_page(request, "ui/people/team_form.html", context)


def save_team(team: Team, form: TeamForm) -> bool:
    """Rename and set the members together (tenancy.actions.update_team): both or neither."""
    data = form.cleaned_data
    try:
        actions.update_team(team, name=data["name"], members=list(data["members"]))
    except actions.PeopleError as error:
        form.add_error(None, str(error))
        return False
    return True


@user_managers_only
@require_http_methods(GET_POST)
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = managed_team(request, team_id)
    if request.method == "GET":
        question = _("Delete the team “%(name)s”?") % {"name": team.name}
        detail = _("Its members stay; only the team goes.")
        back = reverse("ui:team_edit", args=[team.pk])
        return confirmation_page(request, question=question, detail=detail, back=back)
    try:
        actions.delete_team(team)
    except actions.PeopleError as error:
        messages.error(request, str(error))
        return redirect("ui:team_edit", team.pk)
    messages.success(request, _("The team “%(name)s” is deleted.") % {"name": team.name})
    return redirect("ui:teams")
