"""The team and agent filters of the reports and the exports: one rule for both."""

from collections.abc import Sequence

from comptoir.tenancy.models import Team, User


def agent_filter(
    domain_id: int, team_ids: Sequence[int], agent_ids: Sequence[int]
) -> list[int] | None:
    """The agents a report or an export is narrowed to: the members of its teams, the agents
    it names (both: those in both), or None for no filter. A team or an agent not of the
    domain raises DoesNotExist (the edges answer 404)."""
    agents: set[int] | None = None
    if team_ids:
        teams = Team.objects.filter(domain_id=domain_id, pk__in=team_ids)
        if teams.count() != len(set(team_ids)):
            raise Team.DoesNotExist("not a team of this domain")
        members = User.objects.filter(domain_id=domain_id, teams__in=teams)
        agents = set(members.values_list("id", flat=True))
    if agent_ids:
        named = User.objects.filter(domain_id=domain_id, pk__in=agent_ids)
        found = set(named.values_list("id", flat=True))
        if found != set(agent_ids):
            raise User.DoesNotExist("not a user of this domain")
        agents = found if agents is None else agents & found
    return None if agents is None else sorted(agents)
