"""The demo campaigns' signatures, reply templates (grouped by tag) and automatic reply."""

from comptoir.campaigns.models import Campaign, EmailTemplate
from comptoir.tenancy.models import Domain

SIGNATURE = "{{ agent_name }}\n{{ campaign_name }} — Démo SARL\nDu lundi au vendredi, 9 h – 18 h"

ACKNOWLEDGEMENT = (
    "Bonjour {{ customer_name }},\n\n"
    "Nous avons bien reçu votre message du {{ ticket_date }} et l'avons enregistré sous le "
    "numéro de ticket {{ ticket_number }}.\n"
    "Un conseiller vous répondra sous 48 heures ouvrées. Pour nous écrire à ce sujet, "
    "répondez simplement à ce message : le numéro dans l'objet nous permet de retrouver "
    "votre demande.\n\n"
    "Bien cordialement,\nLe {{ campaign_name }}"
)

# campaign slug -> (tag, name, subject, body)
TEMPLATES = {
    "support": [
        (
            "Accès",
            "Réinitialiser le mot de passe",
            "",
            (
                "Bonjour {{ customer_name }},\n\n"
                "Vous pouvez réinitialiser votre mot de passe depuis la page de connexion, lien "
                "« Mot de passe oublié ». Le lien reçu par email est valable une heure.\n\n"
                "Bien cordialement,"
            ),
        ),
        (
            "Accès",
            "Compte débloqué",
            "",
            (
                "Bonjour {{ customer_name }},\n\n"
                "Votre compte est débloqué : vous pouvez vous reconnecter dès maintenant.\n\n"
                "Bien cordialement,"
            ),
        ),
        (
            "Général",
            "Demande de précisions",
            "",
            (
                "Bonjour {{ customer_name }},\n\n"
                "Pour traiter votre demande (ticket {{ ticket_number }}), pourriez-vous nous "
                "préciser votre numéro de client et, si possible, joindre une capture d'écran ?\n\n"
                "Bien cordialement,"
            ),
        ),
        ("Accusés de réception", "Accusé de réception", "", ACKNOWLEDGEMENT),
    ],
    "commandes": [
        (
            "Livraison",
            "Colis en retard",
            "",
            (
                "Bonjour {{ customer_name }},\n\n"
                "Votre colis a pris du retard chez le transporteur. Nous avons ouvert une enquête "
                "et revenons vers vous sous 48 heures.\n\n"
                "Bien cordialement,"
            ),
        ),
        (
            "Remboursement",
            "Remboursement accepté",
            "",
            (
                "Bonjour {{ customer_name }},\n\n"
                "Votre remboursement est accepté ; il apparaîtra sur votre compte sous 5 à 7 jours "
                "ouvrés.\n\n"
                "Bien cordialement,"
            ),
        ),
    ],
}


def ensure_replies(domain: Domain) -> None:
    """Signatures, templates and the support campaign's acknowledgement (idempotent)."""
    for slug, templates in TEMPLATES.items():
        campaign = Campaign.objects.get(domain=domain, slug=slug)
        for tag, name, subject, body in templates:
            EmailTemplate.objects.get_or_create(
                domain=domain,
                campaign=campaign,
                name=name,
                defaults={"tag": tag, "subject": subject, "body": body},
            )
        if campaign.signature:
            continue  # set up already, or changed by hand: leave it
        first_address = campaign.addresses.order_by("id").first()
        campaign.signature = SIGNATURE
        campaign.reply_to = first_address.address if first_address else ""
        if campaign.auto_reply_enabled and campaign.auto_reply_template is None:
            campaign.auto_reply_template = EmailTemplate.objects.get(
                campaign=campaign, name="Accusé de réception"
            )
        campaign.save(update_fields=["signature", "reply_to", "auto_reply_template"])
