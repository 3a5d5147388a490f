"""The supervision data set's small rows, made with the ORM inside a Django process: domains,
people, teams, campaigns, qualification scripts, opening hours and holidays (bench.dataset_fill
then fills the big tables by SQL).

Names that benchmarks rely on: domain `bench` (and `bench-autre`, the small other tenant);
users `admin`, `superviseur1..S`, `agent1..A` (password BENCH_PASSWORD); campaign index 0 of
each domain (`service-client`) is open around the clock (no opening hours, no holiday), so play
can be measured at any hour; the others open Monday to Friday 8:00-19:00 and Saturday 9:00-13:00
(Europe/Paris) and close on French public holidays.
"""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from bench.dataset_sql import MOTIFS
from bench.dataset_words import CAMPAIGNS, FIRST_NAMES, LAST_NAMES, OTHER_CAMPAIGNS

BENCH_PASSWORD = "bench-password"

# code, kind, label in version 1, label in version 2 (two codes are renamed: the reports show
# each version's label)
OUTCOMES = [
    ("resolu", "final", "Résolu", "Résolu au premier contact"),
    ("sans-suite", "final", "Sans suite", "Sans suite"),
    ("a-rappeler", "reopen_later", "A rappeler", "Rappel programmé"),
    ("attente-client", "waiting_customer", "En attente du client", "En attente du client"),
    ("non-termine", "not_finished", "Non terminé", "Non terminé"),
]
SCRIPTS = ["Script général", "Script SAV", "Script facturation", "Script réclamations"]


@dataclass
class DomainSpec:
    dom: int  # the key of this domain's rows in the bench_* tables
    slug: str
    name: str
    mail_domain: str
    tickets: int
    campaigns: list[tuple[str, str]]
    agents: int
    supervisors: int
    agent_teams: int
    supervision_teams: int
    scripts: int


def specs(tickets: int) -> list[DomainSpec]:
    """The measured domain and a small other one (a fiftieth of the tickets), so that every
    query must keep to its tenant: both number their tickets from 1."""
    return [
        DomainSpec(1, "bench", "Comptoir Bench SA", "bench.example", tickets, CAMPAIGNS,
                   200, 20, 10, 10, 4),
        DomainSpec(2, "bench-autre", "Autre Locataire SARL", "autre.bench.example",
                   max(100, tickets // 50), OTHER_CAMPAIGNS, 10, 2, 1, 1, 1),
    ]  # fmt: skip


@dataclass
class Made:
    """What the SQL steps need to know of the rows made here."""

    domain_id: int
    campaigns: list[dict[str, Any]] = field(default_factory=list)  # bench_campaign rows
    agents: list[tuple[int, int, int, str]] = field(default_factory=list)  # cidx, k, id, name
    outcomes: list[tuple[int, int, str, str, str, int]] = field(default_factory=list)
    play_agents: set[int] = field(default_factory=set)  # campaign 0's agents (by id)


def person(index: int) -> str:
    return f"{FIRST_NAMES[index * 7 % len(FIRST_NAMES)]} {LAST_NAMES[index * 11 % len(LAST_NAMES)]}"


def make_users(spec: DomainSpec, domain: Any, password: str) -> tuple[list[Any], list[Any], Any]:
    from comptoir.tenancy.models import Role, User

    def user(login: str, role: str, name: str) -> User:
        made = User(domain=domain, login=login, role=role, display_name=name, password=password)
        made.email = f"{login}@{spec.mail_domain}"
        made.language = "fr"
        if role == Role.ADMIN:
            made.apply_role_rights()
        else:
            # Supervisors of their teams' campaigns only: `can_supervise` is the right to
            # supervise every campaign of the domain (tickets.access), the administrator's.
            made.can_supervise = False
            made.can_export = made.can_use_api = role == Role.SUPERVISOR
        return made

    admin = user("admin", Role.ADMIN, "Administratrice Bench")
    supervisors = [
        user(f"superviseur{i}", Role.SUPERVISOR, person(1000 + i))
        for i in range(1, spec.supervisors + 1)
    ]
    agents = [user(f"agent{i}", Role.AGENT, person(i)) for i in range(1, spec.agents + 1)]
    User.objects.bulk_create([admin, *supervisors, *agents])
    # SQLite's bulk_create gives no ids back: read them.
    by_login = dict(User.objects.filter(domain=domain).values_list("login", "id"))
    for made in [admin, *supervisors, *agents]:
        made.pk = by_login[made.login]
    return agents, supervisors, admin


def make_teams(
    spec: DomainSpec, domain: Any, agents: list[Any], supervisors: list[Any]
) -> tuple[Any, Any]:
    from comptoir.tenancy.models import Team

    size = len(agents) // spec.agent_teams
    agent_teams = []
    for t in range(spec.agent_teams):
        team = Team.objects.create(domain=domain, name=f"Équipe {t + 1}")
        team.members.add(*agents[t * size : (t + 1) * size])
        agent_teams.append(team)
    supervision = []
    for t in range(spec.supervision_teams):
        supervision.append(Team.objects.create(domain=domain, name=f"Supervision {t + 1}"))
    for i, supervisor in enumerate(supervisors):
        supervision[i % len(supervision)].members.add(supervisor)
        supervision[(i + 1) % len(supervision)].members.add(supervisor)
    return agent_teams, supervision


def make_scripts(spec: DomainSpec, domain: Any, made: Made) -> list[Any]:
    from comptoir.scripts.models import (
        FieldType,
        QualificationField,
        QualificationOutcome,
        QualificationScript,
        ScriptVersion,
    )

    scripts = []
    for name in SCRIPTS[: spec.scripts]:
        script = QualificationScript.objects.create(domain=domain, name=name)
        for number in (1, 2):
            version = ScriptVersion.objects.create(
                domain=domain, script=script, number=number, frozen=True
            )
            for position, (code, kind, first, second) in enumerate(OUTCOMES):
                label = first if number == 1 else second
                QualificationOutcome.objects.create(
                    domain=domain, version=version, code=code, label=label, kind=kind,
                    position=position,
                )  # fmt: skip
                made.outcomes.append((script.pk, number, code, label, kind, version.pk))
            QualificationField.objects.create(
                domain=domain, version=version, name="motif", label="Motif",
                field_type=FieldType.CHOICE, choices=MOTIFS, required=True, position=0,
            )  # fmt: skip
            QualificationField.objects.create(
                domain=domain, version=version, name="satisfait", label="Client satisfait ?",
                field_type=FieldType.YES_NO, position=1,
            )  # fmt: skip
        scripts.append(script)
    return scripts


def easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (h + m - 7 * ((a + 11 * h + 22 * m) // 451) + 114) // 31
    p = (h + m - 7 * ((a + 11 * h + 22 * m) // 451) + 114) % 31
    return date(year, n, p + 1)


def french_holidays(year: int) -> list[tuple[date, str]]:
    sunday = easter(year)
    fixed = [(1, 1, "Jour de l'an"), (5, 1, "Fête du Travail"), (5, 8, "Victoire 1945"),
             (7, 14, "Fête nationale"), (8, 15, "Assomption"), (11, 1, "Toussaint"),
             (11, 11, "Armistice"), (12, 25, "Noël")]  # fmt: skip
    days = [(date(year, month, day), name) for month, day, name in fixed]
    days += [
        (sunday + timedelta(days=1), "Lundi de Pâques"),
        (sunday + timedelta(days=39), "Ascension"),
        (sunday + timedelta(days=50), "Lundi de Pentecôte"),
    ]
    return days


def make_planning(domain: Any, campaign: Any, years: range) -> None:
    from comptoir.campaigns.models import Holiday, OpeningHours

    hours = [(day, time(8), time(19)) for day in range(5)] + [(5, time(9), time(13))]
    OpeningHours.objects.bulk_create(
        OpeningHours(domain=domain, campaign=campaign, weekday=d, opens=o, closes=c)
        for d, o, c in hours
    )
    Holiday.objects.bulk_create(
        Holiday(domain=domain, campaign=campaign, date=day, name=name)
        for year in years
        for day, name in french_holidays(year)
    )


def make_domain(spec: DomainSpec, password: str, years: range) -> Made:
    """Every small row of one domain; what the SQL steps need to know of them."""
    from comptoir.campaigns.models import Campaign, InboundAddress
    from comptoir.tenancy.models import Domain, MailDomain

    domain = Domain.objects.create(slug=spec.slug, name=spec.name, language="fr")
    MailDomain.objects.create(domain=domain, name=spec.mail_domain)
    made = Made(domain.pk)
    agents, supervisors, _admin = make_users(spec, domain, password)
    agent_teams, supervision = make_teams(spec, domain, agents, supervisors)
    scripts = make_scripts(spec, domain, made)
    for idx, (slug, name) in enumerate(spec.campaigns):
        address = f"{slug}@{spec.mail_domain}"
        campaign = Campaign.objects.create(
            domain=domain, slug=slug, name=name, sender_name=f"{name} – {spec.name}",
            sender_email=address, priority=(len(spec.campaigns) - idx) % 4,
            max_attempts=3 + idx % 3, blocking_minutes=(30, 60, 120)[idx % 3],
            qualification_script=scripts[idx % len(scripts)],
        )  # fmt: skip
        InboundAddress.objects.create(domain=domain, campaign=campaign, address=address)
        teams = {agent_teams[idx % len(agent_teams)], agent_teams[(idx + 3) % len(agent_teams)]}
        campaign.agent_teams.add(*teams)
        campaign.supervision_teams.add(supervision[idx % len(supervision)])
        if idx > 0:
            make_planning(domain, campaign, years)
        members = sorted({u for team in teams for u in team.members.all()}, key=lambda u: u.pk)
        for k, agent in enumerate(members):
            made.agents.append((idx, k, agent.pk, agent.display_name))
        if idx == 0:
            made.play_agents = {agent.pk for agent in members}
        made.campaigns.append(
            {"idx": idx, "id": campaign.pk, "max_attempts": campaign.max_attempts,
             "agents": len(members), "script_id": campaign.qualification_script_id,
             "sender": address, "address": address, "name": name}
        )  # fmt: skip
    return made


def play_logins(count: int) -> list[str]:
    """The agents of campaign 0 (service-client) of the measured domain, in login order:
    the members of its two agent teams (make_domain: teams idx and idx + 3)."""
    spec = specs(1)[0]
    size = spec.agents // spec.agent_teams
    teams = sorted({0, 3 % spec.agent_teams})
    logins = [f"agent{t * size + i}" for t in teams for i in range(1, size + 1)]
    return logins[:count]
