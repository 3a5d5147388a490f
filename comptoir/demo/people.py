"""The demo domain's people, teams and campaigns (names that benchmarks and checks rely on)."""

from django.db import transaction

from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.tenancy.models import Domain, MailDomain, Role, Team, User

DEMO_PASSWORD = "demo"
DEMO_MAIL_DOMAIN = "demo.localhost"
CAMPAIGNS = [
    # slug, name, inbound address, sender name, auto-reply
    ("support", "Support client", "support@demo.localhost", "Service client Demo", True),
    ("commandes", "Suivi des commandes", "commandes@demo.localhost", "Commandes Demo", False),
]


def ensure_user(domain: Domain, login: str, role: str, name: str) -> User:
    user = User.objects.filter(domain=domain, login=login).first()
    if user is None:
        user = User(domain=domain, login=login, role=role, display_name=name)
        user.email = f"{login}@demo.localhost"
        user.apply_role_rights()
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def ensure_people(agents: int) -> Domain:
    domain, _created = Domain.objects.get_or_create(
        slug="demo", defaults={"name": "Démo SARL", "language": "fr"}
    )
    # The demo's addresses are in demo.localhost: the demo domain owns that mail domain.
    MailDomain.objects.get_or_create(name=DEMO_MAIL_DOMAIN, defaults={"domain": domain})
    admin = ensure_user(domain, "admin", Role.ADMIN, "Administratrice Démo")
    supervisor = ensure_user(domain, "superviseur", Role.SUPERVISOR, "Sophie Martin")
    people = [
        ensure_user(domain, f"agent{i}", Role.AGENT, f"Agent {i}") for i in range(1, agents + 1)
    ]
    front, _c = Team.objects.get_or_create(domain=domain, name="Équipe support")
    orders, _c = Team.objects.get_or_create(domain=domain, name="Équipe commandes")
    supervision, _c = Team.objects.get_or_create(domain=domain, name="Supervision")
    front.members.add(*people)
    orders.members.add(*people[: max(1, len(people) // 2 + 1)])
    supervision.members.add(supervisor, admin)
    for slug, name, address, sender, auto_reply in CAMPAIGNS:
        campaign, _c = Campaign.objects.get_or_create(
            domain=domain,
            slug=slug,
            defaults={"name": name, "sender_name": sender, "auto_reply_enabled": auto_reply},
        )
        InboundAddress.objects.get_or_create(
            address=address, defaults={"domain": domain, "campaign": campaign}
        )
        campaign.agent_teams.add(front if slug == "support" else orders)
        campaign.supervision_teams.add(supervision)
    return domain
