"""The demo campaigns' play-mode settings: qualification scripts, attempts, blocking."""

from comptoir.campaigns.models import Campaign
from comptoir.scripts.models import (
    FieldType,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
    QualificationScript,
    ScriptVersion,
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
# campaign slug -> the name of its script in the domain's library
SCRIPT_NAMES = {"support": "Support client", "commandes": "Commandes"}
# campaign slug -> (priority, max attempts, blocking minutes)
RULES = {"support": (10, 4, 30), "commandes": (5, 3, 60)}


def ensure_play_settings(domain: Domain) -> None:
    """Idempotent: rows are created once, never changed afterwards (a demo user may edit)."""
    for slug, (priority, attempts, blocking) in RULES.items():
        campaign = Campaign.objects.get(domain=domain, slug=slug)
        if campaign.qualification_script_id is None:
            script, created = QualificationScript.objects.get_or_create(
                domain=domain, name=SCRIPT_NAMES[slug]
            )
            if created:
                fill_script(script, slug)
            campaign.qualification_script = script
            campaign.save(update_fields=["qualification_script"])
        if campaign.priority == 0:
            campaign.priority, campaign.max_attempts = priority, attempts
            campaign.blocking_minutes = blocking
            campaign.save(update_fields=["priority", "max_attempts", "blocking_minutes"])


def fill_script(script: QualificationScript, slug: str) -> None:
    version = ScriptVersion.objects.create(domain_id=script.domain_id, script=script, number=1)
    for position, (code, label, kind) in enumerate(OUTCOMES.get(slug, [])):
        QualificationOutcome.objects.create(
            domain_id=script.domain_id,
            version=version,
            code=code,
            label=label,
            kind=kind,
            position=position,
        )
    for position, (name, label, field_type, choices, required) in enumerate(QUESTIONS[slug]):
        QualificationField.objects.create(
            domain_id=script.domain_id,
            version=version,
            name=name,
            label=label,
            field_type=field_type,
            choices=choices,
            required=required,
            position=position,
        )
