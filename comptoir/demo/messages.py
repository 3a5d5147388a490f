"""Realistic French customer mail for the demo, built as real RFC 5322 messages."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

CUSTOMERS = [
    ("Camille Durand", "camille.durand@exemple.fr"),
    ("Julien Moreau", "julien.moreau@exemple.fr"),
    ("Léa Bernard", "lea.bernard@courriel.fr"),
    ("Hugo Petit", "hugo.petit@exemple.com"),
    ("Chloé Robert", "chloe.robert@courriel.fr"),
    ("Nathan Richard", "nathan.richard@exemple.fr"),
    ("Manon Dubois", "manon.dubois@exemple.com"),
    ("Louis Lefèvre", "louis.lefevre@courriel.fr"),
    ("Inès Garnier", "ines.garnier@exemple.fr"),
    ("Gabriel Faure", "gabriel.faure@exemple.com"),
    ("Sarah Mercier", "sarah.mercier@courriel.fr"),
    ("Arthur Blanc", "arthur.blanc@exemple.fr"),
]

REQUESTS = [
    (
        "support",
        "Impossible de me connecter à mon espace client",
        "Bonjour,\n\nDepuis ce matin je n'arrive plus à me connecter : le site m'indique « mot de "
        "passe incorrect » alors que je viens de le réinitialiser.\nPouvez-vous m'aider "
        "?\n\nCordialement,",
    ),
    (
        "commandes",
        "Commande n° 48213 toujours pas reçue",
        "Bonjour,\n\nJ'ai passé commande il y a dix jours (n° 48213) et je n'ai toujours "
        "rien reçu. "
        "Le suivi n'a pas bougé depuis samedi.\nPourriez-vous vérifier ?\n\nMerci d'avance,",
    ),
    (
        "support",
        "Demande de facture",
        "Bonjour,\n\nPourriez-vous m'envoyer la facture de mon abonnement d'octobre ? Je "
        "ne la trouve "
        "pas dans mon espace.\n\nBonne journée,",
    ),
    (
        "commandes",
        "Article reçu endommagé",
        "Bonjour,\n\nLe colis est arrivé hier mais la théière était cassée. Je joins une photo.\n"
        "Je souhaiterais un échange.\n\nBien à vous,",
    ),
    (
        "support",
        "Résiliation de mon abonnement",
        "Bonjour,\n\nJe souhaite résilier mon abonnement à compter du mois prochain. Quelle est la "
        "marche à suivre ?\n\nCordialement,",
    ),
    (
        "commandes",
        "Changement d'adresse de livraison",
        "Bonjour,\n\nJe viens de commander (n° 48377) mais je me suis trompé d'adresse : "
        "c'est 12 rue "
        "des Lilas, 69003 Lyon.\nEst-il encore temps de la modifier ?\n\nMerci,",
    ),
    (
        "support",
        "Question sur la garantie",
        "Bonjour,\n\nMon grille-pain acheté en mars ne chauffe plus. Est-il toujours "
        "sous garantie ?"
        "\n\nMerci pour votre retour,",
    ),
    (
        "commandes",
        "Remboursement non reçu",
        "Bonjour,\n\nVous m'avez confirmé le retour de ma commande il y a trois semaines, mais le "
        "remboursement n'apparaît toujours pas sur mon compte.\n\nCordialement,",
    ),
    (
        "support",
        "Problème de paiement par carte",
        "Bonjour,\n\nMon paiement est refusé à chaque tentative alors que ma carte fonctionne "
        "ailleurs. Avez-vous un problème en ce moment ?\n\nMerci,",
    ),
    (
        "support",
        "Modifier mon adresse e-mail",
        "Bonjour,\n\nJ'ai changé de fournisseur d'accès : comment modifier l'adresse e-mail de mon "
        "compte ?\n\nBonne journée,",
    ),
    (
        "commandes",
        "Délai de livraison pour la Corse",
        "Bonjour,\n\nQuels sont vos délais de livraison pour Ajaccio ? J'ai besoin du colis avant "
        "le 15.\n\nMerci,",
    ),
    (
        "support",
        "Bon de réduction non appliqué",
        "Bonjour,\n\nLe code BIENVENUE10 n'a pas été déduit de ma commande alors qu'il était "
        "valide.\n\nPouvez-vous régulariser ?\n\nCordialement,",
    ),
]

FOLLOW_UPS = [
    "Bonjour,\n\nJe me permets de vous relancer, je n'ai pas eu de réponse.\n\nMerci,",
    "Re-bonjour,\n\nPetite précision : j'ai essayé depuis un autre navigateur, même résultat.",
    "Bonjour,\n\nMerci pour votre retour rapide, c'est réglé de mon côté !\n\nBonne journée,",
]

# A tiny real PNG (1x1 pixel), as a customer's photo would be.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b1d6f60000000049454e44ae426082"
)


@dataclass
class DemoMail:
    campaign: str
    raw: bytes
    label: str
    extra: dict[str, str] = field(default_factory=dict)


def build(
    *,
    sender: tuple[str, str],
    to: str,
    subject: str,
    body: str,
    message_id: str,
    when: datetime,
    in_reply_to: str = "",
    charset: str = "utf-8",
    photo: bool = False,
) -> bytes:
    message = EmailMessage()
    message["From"] = f'"{sender[0]}" <{sender[1]}>'
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    message.set_content(f"{body}\n{sender[0]}\n", charset=charset)
    if photo:
        message.add_attachment(PNG, maintype="image", subtype="png", filename="photo-théière.png")
    return bytes(message)


def demo_mail(now: datetime) -> Iterator[DemoMail]:
    """About forty messages: new requests, follow-ups in the thread, a subject-tag reply."""
    for index in range(36):
        campaign, subject, body = REQUESTS[index % len(REQUESTS)]
        name, email = CUSTOMERS[index % len(CUSTOMERS)]
        if index >= len(REQUESTS):
            subject = f"{subject} ({index // len(REQUESTS) + 1})"
        when = now - timedelta(hours=3 * (36 - index), minutes=7 * index)
        first_id = f"demo-{index:03d}@{email.split('@')[1]}"
        to = f"{campaign}@demo.localhost"
        charset = "windows-1252" if index % 5 == 2 else "utf-8"
        raw = build(
            sender=(name, email),
            to=to,
            subject=subject,
            body=body,
            message_id=first_id,
            when=when,
            charset=charset,
            photo=(index % 12 == 3),
        )
        yield DemoMail(campaign, raw, first_id)
        if index % 3 == 0:
            reply_id = f"demo-{index:03d}-relance@{email.split('@')[1]}"
            raw = build(
                sender=(name, email),
                to=to,
                subject=f"RE: {subject}",
                body=FOLLOW_UPS[index % len(FOLLOW_UPS)],
                message_id=reply_id,
                when=when + timedelta(hours=2),
                in_reply_to=first_id,
            )
            yield DemoMail(campaign, raw, reply_id)
