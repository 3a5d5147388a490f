"""Words for the benchmark corpus: customers, subjects and bodies in French and English.

Plain data and small functions that fill templates from a random.Random, so the corpus is
the same on every run for a given seed.
"""

import random
from dataclasses import dataclass

FIRST_NAMES_FR = [
    "Amélie", "Benoît", "Céline", "Clément", "Élodie", "François", "Gaëlle", "Hélène",
    "Jérôme", "Léa", "Loïc", "Manon", "Noémie", "Océane", "Renée", "Stéphane", "Thérèse",
    "Valérie", "Zoé", "Éric", "Camille", "Julien", "Nathalie", "Sébastien", "Aurélie",
]  # fmt: skip
LAST_NAMES_FR = [
    "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Garçon", "Rousseau",
    "Fournier", "Girard", "Bonnefoy", "Mercier", "Chevalier", "Lemaître", "Faure", "Gauthier",
    "Pérez", "Roché", "Brûlé", "Duval",
]  # fmt: skip
FIRST_NAMES_EN = [
    "Alice", "Brian", "Chloe", "David", "Emily", "George", "Hannah", "Jack", "Laura", "Mark",
    "Olivia", "Peter", "Rachel", "Sam", "Tom",
]  # fmt: skip
LAST_NAMES_EN = [
    "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "O'Neill", "Clarke",
    "Hughes",
]  # fmt: skip
MAIL_DOMAINS = [
    "gmail.com", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "sfr.fr", "yahoo.fr",
    "hotmail.fr", "outlook.fr", "icloud.com", "bbox.fr", "outlook.com", "proton.me",
    "boulangerie-roche.fr", "cabinet-duval.fr", "mairie-exemple.fr",
]  # fmt: skip
MAILERS = [
    ("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Thunderbird/128.5.2"),
    ("X-Mailer", "Microsoft Outlook 16.0"),
    ("X-Mailer", "iPhone Mail (21G93)"),
    ("X-Mailer", "Apple Mail (2.3774.600.62)"),
    ("User-Agent", "Roundcube Webmail/1.6.9"),
    ("X-Mailer", "Orange Messagerie"),
    ("X-Mailer", "Zimbra 9.0.0_GA_4583 (ZimbraWebClient - FF131 (Win)/9.0.0_GA_4583)"),
]  # fmt: skip
PRODUCTS_FR = [
    "cafetière expresso", "aspirateur sans fil", "lot de casseroles", "lampe de bureau",
    "chaise ergonomique", "robot pâtissier", "théière en fonte", "bouilloire électrique",
]  # fmt: skip
PRODUCTS_EN = [
    "espresso machine", "cordless vacuum", "cookware set", "desk lamp", "office chair",
    "stand mixer", "cast-iron teapot", "electric kettle",
]  # fmt: skip

SUBJECTS_FR = [
    "Commande {order} non reçue",
    "Problème avec ma commande n°{order}",
    "Demande de remboursement – {product}",
    "Facture manquante pour la commande {order}",
    "Changement d'adresse de livraison",
    "{product} arrivé(e) abîmé(e)",
    "Question sur la garantie de mon {product}",
    "Délai de livraison ?",
    "Réclamation : colis endommagé",
    "Annulation de ma commande {order}",
    "Erreur de prélèvement de {amount} €",
]
SUBJECTS_EN = [
    "Order {order} not received",
    "Problem with order #{order}",
    "Refund request - {product}",
    "Missing invoice for order {order}",
    "Change of delivery address",
    "My {product} arrived damaged",
    "Warranty question about my {product}",
    "Where is my parcel?",
    "Cancel order {order}",
    "Charged twice ({amount} EUR)",
]
OPENINGS_FR = ["Bonjour,", "Bonjour Madame, Monsieur,", "Madame, Monsieur,", "Bonsoir,"]
OPENINGS_EN = ["Hello,", "Hi,", "Dear Sir or Madam,", "Good morning,"]
SENTENCES_FR = [
    "J'ai passé la commande n°{order} le {day} et je n'ai toujours rien reçu.",
    "Le suivi du colis indique « livré » mais il n'est pas arrivé chez moi.",
    "Mon {product} ne fonctionne plus après seulement {weeks} semaines d'utilisation.",
    "J'ai été débité(e) de {amount} € alors que le total affiché était différent.",
    "Pourriez-vous m'indiquer la marche à suivre pour un retour ?",
    "Je souhaiterais être remboursé(e) dans les meilleurs délais.",
    "Vous trouverez ci-joint la facture et une photo du produit.",
    "J'ai déjà appelé votre service client à deux reprises, sans réponse.",
    "La boîte était déchirée et l'appareil présente une fêlure sur le côté.",
    "Merci de me confirmer la bonne prise en compte de ma demande.",
    "Je reste joignable au 06 {phone} en journée, de préférence après 14 h.",
    "C'est la deuxième fois que cela m'arrive, je suis très déçu(e).",
    "Pouvez-vous me renvoyer la facture en PDF ? Je ne la trouve pas dans mon espace client.",
]
SENTENCES_EN = [
    "I placed order {order} on {day} and still haven't received anything.",
    "The tracking page says delivered, but the parcel never arrived.",
    "My {product} stopped working after only {weeks} weeks.",
    "I was charged {amount} EUR, which is not the amount shown at checkout.",
    "Could you tell me how to return the item?",
    "I would like a refund as soon as possible.",
    "Please find attached the invoice and a photo of the item.",
    "I already called your support line twice without an answer.",
    "Please confirm that you received my request.",
    "From what I can see on the tracking page, the parcel is stuck at the depot.",
    "It's the second time this has happened and I'm quite disappointed.",
]
REPLY_SENTENCES_FR = [
    "Je reviens vers vous car je n'ai pas eu de réponse à mon message ci-dessous.",
    "Petite précision : le numéro de commande est bien le {order}.",
    "Toujours rien reçu à ce jour, pouvez-vous me tenir informé(e) ?",
    "J'ai oublié de préciser que le colis devait être livré en point relais.",
    "Merci pour votre retour. Le problème persiste malheureusement.",
    "Je vous joins les éléments demandés.",
]
REPLY_SENTENCES_EN = [
    "I'm following up as I haven't had an answer to my message below.",
    "Just to clarify: the order number is {order}.",
    "Still nothing received today, could you keep me posted?",
    "Thanks for getting back to me. Unfortunately the problem is still there.",
    "Please find the requested documents attached.",
]
CLOSINGS_FR = ["Cordialement,", "Bien cordialement,", "Merci d'avance,", "Bonne journée,"]
CLOSINGS_EN = ["Best regards,", "Kind regards,", "Thanks in advance,", "Cheers,"]
DAYS_FR = ["3 mars", "12 avril", "27 mai", "8 juin", "19 septembre", "2 décembre"]
DAYS_EN = ["March 3rd", "April 12th", "May 27th", "June 8th", "September 19th"]


@dataclass
class Customer:
    name: str
    email: str
    french: bool
    mailer: tuple[str, str]
    # What the customer's mail client writes when it is not UTF-8 (latin-1 or cp1252).
    legacy_charset: str


def ascii_slug(text: str) -> str:
    table = str.maketrans("àâäçéèêëîïôöûüùÿÉÈÊÀÇ'’ ", "aaaceeeeiioouuuyEEEAC---")
    return "".join(c for c in text.lower().translate(table) if c.isalnum() or c in "-.")


def make_customer(rng: random.Random, number: int) -> Customer:
    french = rng.random() < 0.75
    first = rng.choice(FIRST_NAMES_FR if french else FIRST_NAMES_EN)
    last = rng.choice(LAST_NAMES_FR if french else LAST_NAMES_EN)
    local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}{number}"])
    email = f"{ascii_slug(local)}{number}@{rng.choice(MAIL_DOMAINS)}"
    legacy = rng.choice(["iso-8859-1", "windows-1252"])
    return Customer(f"{first} {last}", email, french, rng.choice(MAILERS), legacy)


def fill(rng: random.Random, template: str, french: bool) -> str:
    return template.format(
        order=f"{rng.choice('ABCDEFKMRT')}{rng.randint(100000, 999999)}",
        product=rng.choice(PRODUCTS_FR if french else PRODUCTS_EN),
        amount=f"{rng.randint(9, 899)},{rng.randint(0, 99):02d}",
        day=rng.choice(DAYS_FR if french else DAYS_EN),
        weeks=rng.randint(2, 9),
        phone=" ".join(f"{rng.randint(0, 99):02d}" for _ in range(4)),
    )


def new_subject(rng: random.Random, customer: Customer) -> str:
    return fill(rng, rng.choice(SUBJECTS_FR if customer.french else SUBJECTS_EN), customer.french)


def paragraphs(rng: random.Random, customer: Customer, *, reply: bool) -> list[str]:
    """Opening, one to three paragraphs, closing and signature."""
    french = customer.french
    pool = SENTENCES_FR if french else SENTENCES_EN
    first_pool = (REPLY_SENTENCES_FR if french else REPLY_SENTENCES_EN) if reply else pool
    result = [rng.choice(OPENINGS_FR if french else OPENINGS_EN)]
    for index in range(rng.randint(1, 3)):
        sentences = [fill(rng, rng.choice(first_pool if index == 0 else pool), french)]
        sentences += [fill(rng, rng.choice(pool), french) for _ in range(rng.randint(0, 3))]
        result.append(" ".join(sentences))
    closing = rng.choice(CLOSINGS_FR if french else CLOSINGS_EN)
    result.append(f"{closing}\n{customer.name}")
    return result


def quote_header(customer: Customer, date_text: str) -> str:
    if customer.french:
        return f"Le {date_text}, {customer.name} <{customer.email}> a écrit :"
    return f"On {date_text}, {customer.name} <{customer.email}> wrote:"


def fit_charset(text: str, charset: str) -> str:
    """What a legacy mail client could actually write: latin-1 has no € or curly quotes."""
    if charset == "iso-8859-1":
        text = text.replace("€", "EUR").replace("’", "'").replace("–", "-")
    return text.encode(charset, "replace").decode(charset)
