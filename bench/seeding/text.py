"""The words of the synthetic city: names, places, what agents write, what the comité answers.

All French, all invented; nobody here is real.
"""

from __future__ import annotations

import unicodedata

FIRST_NAMES = (
    "Camille Léa Manon Chloé Inès Sarah Emma Jade Louise Alice Lina Julie Nadia Sophie Claire Aïcha "
    "Fatima Hélène Isabelle Nathalie Valérie Sandrine Céline Amandine Laura Yasmine Océane Marie Anne "
    "Lucas Hugo Louis Nathan Enzo Mathis Thomas Karim Mehdi Julien Nicolas Olivier Pierre Jean Paul "
    "Antoine Maxime Romain Sébastien Vincent Bruno Didier Eric Franck Gilles Rachid Samir Yannick Kevin"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre "
    "Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont "
    "Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel "
    "Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson "
    "Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer Lucas "
    "Haddad Benali Mansouri Vasseur Delcourt Leclercq Verhaeghe Delattre Lemaître Carpentier Dhainaut"
).split()
CITIES = (
    "Arras|Lens|Douai|Béthune|Lille|Roubaix|Tourcoing|Valenciennes|Cambrai|Calais|Boulogne|"
    "Dunkerque|Amiens|Reims|Rouen|Caen|Le Havre|Nantes|Rennes|Brest|Angers|Tours|Orléans|"
    "Dijon|Besançon|Metz|Nancy|Strasbourg|Mulhouse|Colmar|Lyon|Villeurbanne|Grenoble|"
    "Saint-Étienne|Clermont|Limoges|Poitiers|Bordeaux|Pau|Bayonne|Toulouse|Montpellier|Nîmes|"
    "Perpignan|Marseille|Toulon|Nice|Avignon|Valence|Chambéry|Annecy|Troyes|Chartres|Le Mans|"
    "Laval|Vannes|Lorient|Quimper|Niort|Angoulême|Périgueux"
).split("|")
DISTRICTS = (
    "Centre|Nord|Sud|Est|Ouest|Gare|Faubourg|Les Hauts|Bords de Scarpe|Vieille Ville|Saint-Michel|"
    "Saint-Sauveur|La Citadelle|Les Jardins|Le Plateau|Les Prés|Le Moulin|Les Tilleuls|La Source|"
    "Pont-Neuf|Les Chênes|Bellevue|Beauregard|Val Fleuri|Les Oliviers|Le Port|Les Cèdres|La Forêt"
).split("|")
STREETS = (
    "rue Victor-Hugo|rue Jean-Jaurès|avenue de la République|place du Marché|rue Pasteur|"
    "rue des Écoles|allée des Tilleuls|square Baudimont|rue du Moulin|boulevard Carnot|"
    "rue de la Gare|chemin des Prés|rue Émile-Zola|place de l'Église|rue des Lilas|"
    "avenue du Général-de-Gaulle|rue Gambetta|rue de Verdun|parc des Sports|rue Voltaire"
).split("|")
NEAR = (
    "près de l'école|devant la médiathèque|à l'arrêt de bus|derrière le gymnase|près du city-stade|"
    "au pied des immeubles|à l'angle du parking|devant la maison de services|près des jeux|"
    "le long du canal|devant les commerces|à l'entrée du parc"
).split("|")
# Per category slug: titles an agent types on a phone, and what the service usually does.
PHENOMENA = {
    "proprete": (
        "Dépôt sauvage d'encombrants",
        "Tags sur la façade",
        "Poubelles débordantes",
        "Déchets verts abandonnés",
    ),
    "voirie-eclairage": (
        "Lampadaire éteint",
        "Nid-de-poule sur la chaussée",
        "Trottoir dégradé",
        "Panneau arraché",
    ),
    "espaces-verts": (
        "Aire de jeux abîmée",
        "Arbre menaçant de tomber",
        "Pelouse non tondue",
        "Banc cassé",
    ),
    "tranquillite-publique": (
        "Rassemblements bruyants le soir",
        "Rodéos urbains",
        "Incivilités répétées",
        "Sentiment d'insécurité des habitants",
    ),
    "stationnement-circulation": (
        "Stationnement gênant sur le trottoir",
        "Voitures trop rapides",
        "Véhicule épave",
        "Passage piéton effacé",
    ),
    "habitat-bailleurs": (
        "Hall d'immeuble dégradé",
        "Ascenseur en panne depuis des jours",
        "Infiltrations dans les parties communes",
        "Caves squattées",
    ),
    "social-precarite": (
        "Personne âgée isolée",
        "Famille en grande difficulté",
        "Personne sans abri",
        "Impayés d'énergie signalés",
    ),
    "jeunesse": (
        "Jeunes sans activité pendant les vacances",
        "Demande d'un local pour les jeunes",
        "Décrochage de plusieurs adolescents",
        "Projet de jeunes à accompagner",
    ),
    "education": (
        "Abords de l'école encombrés",
        "Absentéisme en hausse",
        "Besoin d'aide aux devoirs",
        "Sécurité à la sortie des classes",
    ),
    "sante": (
        "Difficultés d'accès à un médecin",
        "Souffrance psychique repérée",
        "Besoin de prévention",
        "Moustiques tigres signalés",
    ),
    "commerce-proximite": (
        "Local commercial vacant",
        "Commerçants inquiets",
        "Marché peu fréquenté",
        "Terrasse débordante",
    ),
    "vie-associative": (
        "Association cherche une salle",
        "Initiative d'habitants à soutenir",
        "Fête de quartier à préparer",
        "Bénévoles en renfort",
    ),
    "acces-droits-langue": (
        "Famille non francophone à orienter",
        "Difficultés avec les démarches en ligne",
        "Besoin de cours de français",
        "Droits non ouverts",
    ),
    "autre": (
        "Question d'un habitant",
        "Demande d'information",
        "Situation à suivre",
        "Remarque diverse",
    ),
}
DETAILS = (
    "Constaté lors de ma tournée du matin.",
    "Plusieurs habitants m'en ont parlé cette semaine.",
    "La situation dure depuis plusieurs jours.",
    "Déjà signalé le mois dernier, sans changement.",
    "Les enfants passent par là pour aller à l'école.",
    "Le gardien de l'immeuble confirme.",
    "Un commerçant voisin s'en plaint aussi.",
    "Ça semble se répéter chaque fin de semaine.",
    "Photo prise sur place, à vérifier par le service.",
    "Les habitants attendent un retour rapide.",
)
COMMENTS = (
    "Je confirme, vu aussi ce matin.",
    "Le service est passé, à vérifier dans quelques jours.",
    "Les habitants en ont reparlé à l'accueil de la MSP.",
    "J'ai prévenu le bailleur.",
    "À évoquer à la prochaine réunion d'équipe.",
    "Intervention programmée la semaine prochaine.",
)
ESCALATION_REASONS = (
    "Situation récurrente qui dépasse les moyens du quartier : arbitrage du comité demandé.",
    "Plusieurs services concernés, besoin d'une décision de la direction.",
    "Risque pour la sécurité des habitants, à traiter en priorité.",
    "Demande d'un élu, le comité doit être informé.",
)
ANSWERS = (
    "Le comité a demandé aux services techniques une intervention sous quinze jours.",
    "Sujet inscrit au prochain comité de pilotage de la politique de la ville.",
    "Moyens supplémentaires accordés pour le trimestre.",
    "Le comité a saisi le bailleur et suivra la réponse.",
)
PRIORITIES = (
    "Tranquillité et cadre de vie",
    "Réussite éducative et jeunesse",
    "Accès aux droits et aux services",
    "Vie sociale et associative",
    "Emploi et commerce de proximité",
    "Santé et bien-être",
)
CONFIDENTIAL_CATEGORIES = {"social-precarite", "sante", "acces-droits-langue"}


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())
