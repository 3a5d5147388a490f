"""The demo campaigns' play-mode settings: qualification scripts, attempts, blocking."""

from comptoir.campaigns.models import (
    Campaign,
    FieldType,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
)
from comptoir.tenancy.models import Domain

# campaign slug -> outcomes (code, label, kind); none = the four standard outcomes
OUTCOMES = {
    "support": [
        ("resolu", "Résolu", OutcomeKind.FINAL),
        ("a-reouvrir", "A réouvrir plus tard", OutcomeKind.REOPEN_LATER),
        ("attente-client", "En attente du client", OutcomeKind.WAITING_CUSTOMER),
        ("non-termine", "Non terminé", OutcomeKind.NOT_FINISHED),
        ("indesirable", "Indésirable (spam)", OutcomeKind.FINAL),
    ],
}
# campaign slug -> questions (name, label, type, choices, required)
type Question = tuple[str, str, str, list[str], bool]
QUESTIONS: dict[str, list[Question]] = {
    "support": [
        (
            "motif",
            "Motif",
            FieldType.CHOICE,
            ["Connexion", "Facturation", "Livraison", "Autre"],
            True,
        ),
        ("satisfait", "Client satisfait ?", FieldType.YES_NO, [], False),
        ("commentaire", "Commentaire", FieldType.TEXTAREA, [], False),
    ],
    "commandes": [
        ("numero_commande", "Numéro de commande", FieldType.TEXT, [], False),
    ],
}
# campaign slug -> (priority, max attempts, blocking minutes)
RULES = {"support": (10, 4, 30), "commandes": (5, 3, 60)}


def ensure_play_settings(domain: Domain) -> None:
    """Idempotent: rows are created once, never changed afterwards (a demo user may edit)."""
    for slug, (priority, attempts, blocking) in RULES.items():
        campaign = Campaign.objects.get(domain=domain, slug=slug)
        if not QualificationOutcome.objects.filter(campaign=campaign).exists():
            for position, (code, label, kind) in enumerate(OUTCOMES.get(slug, [])):
                QualificationOutcome.objects.create(
                    domain=domain,
                    campaign=campaign,
                    code=code,
                    label=label,
                    kind=kind,
                    position=position,
                )
        if not QualificationField.objects.filter(campaign=campaign).exists():
            for position, (name, label, field_type, choices, required) in enumerate(
                QUESTIONS[slug]
            ):
                QualificationField.objects.create(
                    domain=domain,
                    campaign=campaign,
                    name=name,
                    label=label,
                    field_type=field_type,
                    choices=choices,
                    required=required,
                    position=position,
                )
        if campaign.priority == 0:
            campaign.priority, campaign.max_attempts = priority, attempts
            campaign.blocking_minutes = blocking
            campaign.save(update_fields=["priority", "max_attempts", "blocking_minutes"])
