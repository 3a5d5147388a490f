"""The words of the supervision data set (bench.dataset): French people, campaigns, subjects
and the sentences that message bodies are made of.

Sentences are drawn once, in Python, from a vocabulary ranked by frequency with a Zipf law
(weight 1/(rank + 3), Mandelbrot's form, so that "de" is not one word in eight): a few
words ("de", "commande") are everywhere, most are uncommon. Bodies are then assembled in SQL
from these sentences (bench.dataset_sql), plus, in one message in two hundred, a sentence
naming one of RARE_WORDS (itself Zipf-drawn: the rarest appear in a handful of messages), so
that searches for rare and common words both have their case.
"""

import random
from itertools import accumulate


def listed(text: str) -> list[str]:
    """The words of a text, in order (lists of names kept as text, readable)."""
    return text.split()


FIRST_NAMES = listed(
    """Amélie Benoît Céline Clément Élodie François Gaëlle Hélène Jérôme Léa Loïc Manon
Noémie Océane Renée Stéphane Thérèse Valérie Zoé Éric Camille Julien Nathalie Sébastien Aurélie
Marie Jean Pierre Michel Philippe Alain Nicolas Christophe Patrick Daniel Isabelle Sylvie
Catherine Martine Christine Françoise Monique Sophie Sandrine Véronique Anne Nicole Laurence
Thomas Alexandre Antoine Maxime Hugo Lucas Louis Gabriel Arthur Jules Raphaël Théo Nathan Paul
Emma Jade Louise Alice Chloé Lina Inès Sarah Juliette Lola Anaïs Mathilde Pauline Claire Agathe
Bernard Gérard Jacques Yves Roger Serge Didier Thierry Olivier Frédéric Laurent Vincent Fabrice
Mélanie Audrey Émilie Caroline Delphine Karine Virginie Laetitia Séverine Cécile Béatrice Josiane
Mohamed Karim Yasmine Fatima Nadia Samir Rachid Leïla Mehdi Sofiane Kevin Jordan Dylan Enzo Noah
Maël Timéo Léon Rose Ambre Capucine Margaux Romane Clémence Héloïse Gaspard Baptiste Quentin
Adrien Romain Guillaume Damien Cédric Grégory Ludovic Jérémy Florian Mickaël Ophélie
Solène"""
)

LAST_NAMES = listed(
    """Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon
Laurent Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefebvre
Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin
Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine
Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Gautier Roger Roche
Roy Noël Meyer Lucas Meunier Jean Pérez Marchand Dufour Blanchard Marie Barbier Brun Dumas
Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud Rolland Caron Aubert Giraud Leclerc
Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe Leclercq Lacroix Fabre Dupuis Olivier
Rodriguez Dasilva Hubert Louis Charles Guillot Rivière Legall Guillaume Adam Rey Moulin
Gonzalez Berger Lecomte Ménard Fleury Deschamps Carpentier Julien Benoît Paris Maillard
Marchal Aubry Vasseur Leroux Renault Jacquet Collet Prévost Poirier Charpentier Royer Huet
Baron Dupuy Pons Paul Laine Carré Breton Rémy Schneider Pérrin Guyot Barré Marty Cousin Bonnefoy
Lemaître Brûlé Roché Garçon Hébert Béranger Thébault Lévêque Gaudin Pasquier Chauvin
Besnard"""
)

MAIL_DOMAINS = listed(
    """gmail.com orange.fr free.fr laposte.net wanadoo.fr sfr.fr yahoo.fr hotmail.fr
outlook.fr icloud.com bbox.fr outlook.com proton.me neuf.fr aliceadsl.fr numericable.fr
club-internet.fr live.fr msn.com gmx.fr"""
)

# Ranked by frequency, most frequent first (a contact centre's French: function words, then
# the words of orders, deliveries, invoices and accounts, then everything else).
WORDS = listed(
    """de la le et à les des je en un une du pour est que vous pas mon ma ne il
au sur par avec mes ce qui votre plus nous mais ou se sont a été ai bien dans leur elle on
très aussi car tout fait être avoir merci bonjour commande colis livraison remboursement
facture compte client service produit demande numéro retour délai jours semaine mois paiement
adresse carte prélèvement abonnement contrat courrier message réponse problème erreur
toujours encore déjà depuis jamais rien plusieurs dernier dernière premier première
reçu reçue envoyé envoyée payé passé fait pris mis vu dit écrit appelé attendu
suite après avant pendant lors sans sous entre vers chez contre selon malgré
cordialement madame monsieur svp urgent rapidement possible impossible nécessaire
suivi transporteur relais point domicile boîte lettres étiquette emballage carton
article articles taille couleur modèle référence prix montant euros total frais port
remise code promotion offre avoir bon réduction solde fidélité points
mot passe connexion identifiant espace site application téléphone mail email courriel
mobile ordinateur tablette internet réseau box ligne fibre forfait option résiliation
banque virement chèque rib iban échéance mensualité crédit débit avance retard pénalité
garantie réparation échange panne défaut casse cassé abîmé endommagé manquant incomplet
magasin agence conseiller conseillère responsable équipe personne quelqu'un interlocuteur
semaines jour heure heures minutes matin soir midi lundi mardi mercredi jeudi vendredi
samedi dimanche janvier février mars avril mai juin juillet août septembre octobre novembre
décembre aujourd'hui hier demain bientôt tard tôt maintenant enfin alors donc cependant
pourtant néanmoins ainsi puis ensuite comme comment pourquoi quand combien quel quelle
quels quelles lequel laquelle dont où si oui non peut-être vraiment absolument totalement
souhaite voudrais aimerais pourriez pouvez pouvoir vouloir devoir savoir connaître
comprendre attendre recevoir envoyer renvoyer rembourser annuler modifier changer
contacter appeler rappeler répondre expliquer confirmer vérifier indiquer préciser
trouver chercher perdre oublier ouvrir fermer utiliser installer activer désactiver
bloquer débloquer valider refuser accepter signer commander acheter payer régler
livrer expédier préparer traiter résoudre corriger régulariser clôturer relancer
dossier réclamation litige plainte signalement incident ticket référence dossier
document pièce jointe photo justificatif preuve attestation certificat formulaire
nom prénom date naissance ville code postal rue avenue boulevard appartement étage
bâtiment porte digicode interphone gardien voisin famille mari femme enfant fils fille
parents mère père enfants travail bureau maison vacances déménagement absence
information informations renseignement renseignements précision précisions détail
détails explication explications solution solutions proposition geste commercial
satisfait satisfaite déçu déçue mécontent mécontente surpris surprise inquiet inquiète
patient patiente content heureux désolé désolée navré sincèrement vivement poliment
normal normale anormal habituel habituelle simple compliqué difficile facile long longue
court courte grand grande petit petite nouveau nouvelle ancien ancienne même autre
autres chaque aucun aucune certains certaines quelques tous toutes beaucoup peu trop
assez moins mieux pire meilleur bon bonne mauvais mauvaise vrai faux juste seul seule
lien page écran bouton menu onglet rubrique section paramètres profil notification alerte
sms appel appels attente musique standard serveur vocal chat conversation échange
semaine-dernière mercredi-prochain vingt trente quarante cinquante cent mille deux trois
quatre cinq six sept huit neuf dix onze douze quinze
livreur livreuse camion entrepôt stock rupture disponible indisponible réapprovisionnement
précommande reliquat expédition préparation acheminement distribution dépôt tri centre
douane importation taxe tva facturation devis bon-de-commande avoir-client note crédit
électroménager lave-linge lave-vaisselle réfrigérateur congélateur four micro-ondes
aspirateur cafetière bouilloire grille-pain robot mixeur blender friteuse plancha
télévision enceinte casque écouteurs chargeur câble batterie adaptateur télécommande
canapé matelas sommier lit armoire commode table chaise bureau étagère luminaire lampe
vêtement pantalon chemise robe veste manteau chaussures baskets bottes pull jupe
jouet poussette siège-auto biberon couches livre livres disque jeu console manette
vélo trottinette casque-vélo pneu chambre-à-air antivol sacoche
montage notice installation technicien intervention rendez-vous créneau disponibilité
déplacement visite passage diagnostic devis-réparation pièce-détachée
assurance sinistre franchise expertise expert indemnisation déclaration constat
mutuelle remboursement-soins carte-vitale tiers-payant ordonnance pharmacie
énergie électricité gaz compteur relevé consommation index estimation régularisation
eau chaudière radiateur chauffage climatisation pompe ballon thermostat
logement bail loyer charges caution état-des-lieux propriétaire locataire syndic
voyage billet train avion vol réservation hôtel séjour bagage valise annulation-voyage
retardé annulé correspondance quai gare aéroport embarquement
abonné abonnée adhérent adhérente membre inscription désinscription newsletter
données personnelles rgpd suppression droit accès opposition consentement
sécurité fraude piratage usurpation phishing arnaque suspect suspecte vol-carte
opposition-carte plafond découvert agios frais-bancaires relevé-de-compte
merci-beaucoup merci-d'avance bonne-journée bonne-soirée à-bientôt dans-l'attente
attentivement rapidité efficacité professionnalisme amabilité compréhension
patience bienveillance réactivité disponibilité-conseiller"""
)

# Uncommon words (ranked too): one message in 200 carries one of them.
RARE_WORDS = listed(
    """ornithorynque kaléidoscope chrysanthème anticonstitutionnellement
hippocampe archipel baldaquin cacahuète dithyrambique escarcelle farfadet galimatias
hurluberlu icône jacquard kermesse lanterneau mansarde nénuphar obélisque palimpseste
quenouille rhododendron saltimbanque tarabiscoté ubiquité vaudeville wagonnet xylophone
yaourtière zeugma abracadabrant babiole calembour dégingandé éphémère fanfreluche
gargouille hirsute inextricable jubilatoire karstique loufoque mirobolant nitescence
obnubiler pantagruélique quiproquo ribambelle sérendipité tohu-bohu ululer vergogne
acariâtre bigarré cacophonie diapason ectoplasme flibustier grandiloquent hétéroclite
idoine jouvence kakémono lapalissade margoulin nycthémère olibrius pérorer quintessence
rocambolesque subreptice tintinnabuler usufruit vertigineux zénith alambiqué brimborion
cornemuse dodécaèdre escogriffe fariboles gourgandine hallebarde incunable jérémiade
koala lampadaire mistigri nonobstant orfèvrerie pétaudière qualibet rutabaga sycomore
trébuchet uchronie vermoulu zibeline aubépine bergamote coquelicot digitale églantine
fuchsia glycine hortensia iris jonquille lilas mimosa narcisse orchidée pivoine
renoncule saxifrage tubéreuse verveine amphore boussole chandelier dentelle épinette
flageolet guéridon harmonium inclinomètre jerrican kayak luth métronome nacelle
octant planisphère quadrant rabot sextant théodolite ukulélé viole xérès zircon
albatros bécasse cormoran duc engoulevent faisan goéland héron ibis jaseur kiwi
loriot martinet nandou orfraie pélican quetzal roitelet sarcelle toucan urubu vanneau
anacarde bétel cardamome durian estragon fenouil gingembre hysope igname jujube
kumquat livèche mangoustan noix-de-muscade origan pastèque quinoa romarin safran
tamarin ugli vanille wasabi yuzu zaatar"""
)

OPENINGS = [
    "Bonjour,",
    "Bonjour Madame, Monsieur,",
    "Madame, Monsieur,",
    "Bonsoir,",
    "Bonjour à vous,",
]
CLOSINGS = [
    "Cordialement,",
    "Bien cordialement,",
    "Merci d'avance,",
    "Bonne journée,",
    "Salutations,",
]
AGENT_OPENINGS = ["Bonjour", "Bonjour Madame, Monsieur", "Chère cliente, cher client"]
AGENT_CLOSINGS = ["Bien cordialement,", "Cordialement,", "Belle journée,"]

SUBJECTS = [
    "Commande {order} non reçue",
    "Problème avec ma commande n°{order}",
    "Demande de remboursement – {product}",
    "Facture manquante pour la commande {order}",
    "Changement d'adresse de livraison",
    "{product} arrivé abîmé",
    "Question sur la garantie de mon {product}",
    "Délai de livraison ?",
    "Réclamation : colis endommagé",
    "Annulation de ma commande {order}",
    "Erreur de prélèvement de {amount} €",
    "Impossible de me connecter à mon espace client",
    "Résiliation de mon abonnement",
    "Demande de rappel",
    "Retour d'un {product}",
    "Toujours pas de réponse à ma réclamation",
    "Modification de mes coordonnées bancaires",
    "Colis bloqué en point relais",
    "Rendez-vous technicien pour mon {product}",
    "Double paiement sur la commande {order}",
]
PRODUCTS = """cafetière expresso|aspirateur sans fil|lot de casseroles|lampe de bureau|chaise
ergonomique|robot pâtissier|théière en fonte|bouilloire électrique|lave-linge|réfrigérateur|
casque audio|matelas|canapé d'angle|vélo électrique|téléviseur|four micro-ondes""".replace(
    "\n", " "
).split("|")

CAMPAIGNS = [
    ("service-client", "Service client"),
    ("reclamations", "Réclamations"),
    ("livraisons", "Suivi des livraisons"),
    ("facturation", "Facturation"),
    ("retours", "Retours et échanges"),
    ("resiliations", "Résiliations"),
    ("sav-electromenager", "SAV électroménager"),
    ("sav-high-tech", "SAV high-tech"),
    ("comptes", "Comptes clients"),
    ("paiements", "Paiements"),
    ("fidelite", "Programme fidélité"),
    ("professionnels", "Clients professionnels"),
    ("marketplace", "Vendeurs partenaires"),
    ("rgpd", "Données personnelles"),
    ("abonnements", "Abonnements"),
    ("assurance", "Assurance produits"),
    ("installations", "Installations à domicile"),
    ("precommandes", "Précommandes"),
    ("cartes-cadeaux", "Cartes cadeaux"),
    ("presse", "Relations presse"),
]
OTHER_CAMPAIGNS = [("accueil", "Accueil"), ("relances", "Relances")]


def zipf_weights(count: int, exponent: float = 1.0, shift: float = 0.0) -> list[float]:
    """1 / (rank + shift)^exponent: Zipf's law (shift 0), or Mandelbrot's flatter head."""
    return [1 / ((rank + shift) ** exponent) for rank in range(1, count + 1)]


def zipf_table(count: int, buckets: int, exponent: float = 1.0) -> list[int]:
    """`buckets` slots, each holding a rank (0-based) so that a uniform slot draws ranks with
    a Zipf law: what SQL joins on (`slot = hash % buckets`), being unable to draw one itself
    portably. Every rank gets at least one slot when buckets allow it."""
    weights = zipf_weights(count, exponent)
    total = sum(weights)
    bounds = list(accumulate(w / total * buckets for w in weights))
    table, rank = [], 0
    for slot in range(buckets):
        while rank < count - 1 and bounds[rank] <= slot:
            rank += 1
        table.append(rank)
    return table


def sentences(rng: random.Random, count: int) -> list[str]:
    """`count` sentences of 5 to 16 Zipf-drawn words, capitalised, ending with a period."""
    cumulative = list(accumulate(zipf_weights(len(WORDS), 1.0, shift=3)))
    result = []
    for _ in range(count):
        words = rng.choices(WORDS, cum_weights=cumulative, k=rng.randint(5, 16))
        text = " ".join(words).replace("-", " ")
        result.append(text[0].upper() + text[1:] + rng.choice([".", ".", ".", " ?", " !"]))
    return result


def subjects(rng: random.Random, count: int) -> list[str]:
    result = []
    for _ in range(count):
        template = rng.choice(SUBJECTS)
        result.append(
            template.format(
                order=f"{rng.choice('ABCDEFKMRT')}{rng.randint(100000, 999999)}",
                product=rng.choice(PRODUCTS).strip(),
                amount=f"{rng.randint(9, 899)},{rng.randint(0, 99):02d}",
            )
        )
    return result


RARE_SENTENCES = [
    "Je précise que le colis contenait aussi un {word}.",
    "Sur la photo jointe on distingue le {word} abîmé.",
    "Le livreur a parlé d'un {word}, je ne comprends pas.",
    "Mon voisin m'a conseillé de vous écrire au sujet du {word}.",
]


def rare_sentences() -> list[str]:
    """One sentence per rare word (in RARE_WORDS' order: the same Zipf rank)."""
    return [
        RARE_SENTENCES[i % len(RARE_SENTENCES)].format(word=w) for i, w in enumerate(RARE_WORDS)
    ]


def ascii_slug(text: str) -> str:
    table = str.maketrans("àâäçéèêëîïôöûüùÿÉÈÊÀÇ'’ ", "aaaceeeeiioouuuyEEEAC---")
    return "".join(c for c in text.lower().translate(table) if c.isalnum() or c in "-.")
