"""The texts of the demo data: contact notes, goals, referral outcomes, follow-ups, consents."""

from __future__ import annotations

from ..models import (
    Channel,
    ReferralStatus,
)

# --- Texts ---------------------------------------------------------------------------

CONTACT_NOTES = {
    "Sprache": (
        "Anmeldung zum Integrationskurs besprochen.",
        "Stand des Sprachkurses besprochen, die B1-Prüfung ist geplant.",
        "Berufsbezogene Sprachförderung erläutert.",
    ),
    "Bildung": (
        "Schulanmeldung der Kinder vorbereitet.",
        "Anerkennung des Schulabschlusses besprochen.",
        "Fragen zur Ganztagsbetreuung geklärt.",
    ),
    "Arbeit": (
        "Bewerbungsunterlagen gemeinsam überarbeitet.",
        "Anerkennung des Berufsabschlusses besprochen.",
        "Termin beim Jobcenter vorbereitet.",
        "Praktikumsmöglichkeiten besprochen.",
    ),
    "Wohnen": (
        "Wohnungssuche besprochen, Unterlagen für den Wohnberechtigungsschein erläutert.",
        "Fragen zur Nebenkostenabrechnung geklärt.",
        "Umzug in eine eigene Wohnung vorbereitet.",
    ),
    "Gesundheit": (
        "Suche nach einer Hausarztpraxis unterstützt.",
        "Fragen zur Krankenversicherung geklärt.",
        "Psychosoziale Beratung angeboten.",
    ),
    "Aufenthalt": (
        "Verlängerung des Aufenthaltstitels besprochen, Unterlagen gesichtet.",
        "Termin bei der Ausländerbehörde vorbereitet.",
        "Fragen zur Einbürgerung beantwortet.",
    ),
    "Familie": (
        "Suche nach einem Kita-Platz besprochen.",
        "Antrag auf Kindergeld vorbereitet.",
        "Stand des Familiennachzugs erläutert.",
    ),
    "Soziales": (
        "Antrag auf Bürgergeld gemeinsam ausgefüllt.",
        "Bescheid des Jobcenters erläutert.",
        "Antrag auf Leistungen für Bildung und Teilhabe vorbereitet.",
    ),
    "Finanzen / Schulden": (
        "Übersicht über offene Forderungen erstellt, Schuldnerberatung empfohlen.",
        "Ratenzahlung besprochen.",
        "Eröffnung eines Girokontos unterstützt.",
    ),
    "Freizeit / Teilhabe": (
        "Angebote im Sportverein vorgestellt.",
        "Kontakt zum Begegnungscafé hergestellt.",
        "Ehrenamtliche Patenschaft angeboten.",
    ),
}
CHANNEL_OPENINGS = {
    Channel.IN_PERSON: "Beratungsgespräch im Büro.",
    Channel.PHONE: "Telefonat.",
    Channel.VIDEO: "Videogespräch.",
    Channel.EMAIL: "Schriftliche Rückmeldung.",
    Channel.MESSENGER: "Kurze Abstimmung per Messenger.",
    Channel.OUTREACH: "Hausbesuch.",
    Channel.ACCOMPANIMENT: "Begleitung zu einem Termin.",
}
CHANNEL_WEIGHTS = {
    Channel.IN_PERSON: 45,
    Channel.PHONE: 25,
    Channel.EMAIL: 8,
    Channel.MESSENGER: 8,
    Channel.VIDEO: 3,
    Channel.OUTREACH: 6,
    Channel.ACCOMPANIMENT: 5,
}
CONTACT_CLOSINGS = (
    "Nächster Termin vereinbart.",
    "Rückmeldung folgt.",
    "",
    "",
    "Unterlagen werden nachgereicht.",
)
FIRST_CONTACT_NOTE = "Erstgespräch: Anliegen und Lebenssituation aufgenommen, Einwilligung besprochen."

GOALS = {
    "Sprache": (
        ("Integrationskurs bis Niveau B1 abschließen", "Anmeldung beim Kursträger, regelmäßige Teilnahme."),
        ("Berufssprachkurs beginnen", "Zugang über das Jobcenter klären, Kursplatz suchen."),
    ),
    "Bildung": (
        ("Schulplatz für die Kinder sichern", "Anmeldung an der Schule, Schulweg klären."),
        ("Schulabschluss anerkennen lassen", "Zeugnisse übersetzen lassen, Antrag stellen."),
    ),
    "Arbeit": (
        ("Anerkennung des Berufsabschlusses beantragen", "Unterlagen übersetzen, Antrag einreichen."),
        ("Beschäftigung aufnehmen", "Bewerbungen schreiben, Vorstellungsgespräche vorbereiten."),
        ("Praktikum im Wunschberuf absolvieren", "Betriebe ansprechen, Praktikumsvertrag klären."),
    ),
    "Wohnen": (("Eigene Wohnung finden", "Angebote sichten, Unterlagen für Vermieter zusammenstellen."),),
    "Gesundheit": (("Hausärztliche Versorgung sicherstellen", "Praxis finden, Ersttermin vereinbaren."),),
    "Aufenthalt": (
        (
            "Aufenthaltstitel verlängern",
            "Termin bei der Ausländerbehörde, Unterlagen vollständig einreichen.",
        ),
        ("Passbeschaffung klären", "Zuständige Auslandsvertretung ermitteln, Termin vorbereiten."),
    ),
    "Familie": (
        ("Kita-Platz für das jüngste Kind sichern", "Anmeldung im Kita-Portal, Rückfragen begleiten."),
        ("Kindergeld beantragen", "Antrag mit Nachweisen bei der Familienkasse stellen."),
    ),
    "Soziales": (("Leistungsansprüche klären", "Anträge vollständig stellen, Bescheide prüfen."),),
    "Finanzen / Schulden": (("Schulden regulieren", "Termin bei der Schuldnerberatung, Haushaltsplan."),),
    "Freizeit / Teilhabe": (
        ("Anschluss an einen Verein finden", "Angebote vorstellen, ersten Besuch begleiten."),
    ),
}
REFERRAL_OUTCOMES = {
    ReferralStatus.TAKEN_UP: (
        "Termin wahrgenommen.",
        "Anmeldung erfolgt.",
        "Aufnahme in das Angebot bestätigt.",
    ),
    ReferralStatus.DECLINED: (
        "Kein freier Platz, Warteliste.",
        "Angebot passt nicht, Alternative wird gesucht.",
    ),
    ReferralStatus.CANCELLED: ("Termin abgesagt.", "Vermittlung nach Umzug abgebrochen."),
}
FOLLOW_UP_TITLES = (
    "Rückmeldung des Jobcenters einholen",
    "Unterlagen für den Antrag prüfen",
    "Termin bei der Ausländerbehörde nachhalten",
    "Zielvereinbarung überprüfen",
    "Stand des Sprachkurses nachfragen",
    "Wohnungsangebote besprechen",
    "Rückruf vereinbaren",
    "Bescheid prüfen",
)
RESIDENCE_FOLLOW_UP = "Verlängerung des Aufenthaltstitels begleiten"
CONSENT_PURPOSE = "Austausch mit den genannten Stellen zur Abstimmung der Unterstützung im Case Management."
# Authorities may receive data without consent on a statutory basis.
AUTHORITY_TYPES = ("Jobcenter", "Agentur für Arbeit", "Ausländerbehörde", "Sozialamt", "Jugendamt")
STATUTORY_BASIS = "§ 69 Abs. 1 Nr. 1 SGB X (Erfüllung einer gesetzlichen Aufgabe)"

# Which actor types a topic usually leads to.
TOPIC_ACTOR_TYPES = {
    "Sprache": ("Sprach- / Integrationskursträger", "Beratungsstelle"),
    "Bildung": ("Schule", "Kita", "Beratungsstelle"),
    "Arbeit": ("Jobcenter", "Agentur für Arbeit", "Arbeitgeber"),
    "Wohnen": ("Sozialamt", "Freier Träger"),
    "Gesundheit": ("Gesundheitswesen",),
    "Aufenthalt": ("Ausländerbehörde", "Beratungsstelle"),
    "Familie": ("Jugendamt", "Kita", "Beratungsstelle"),
    "Soziales": ("Sozialamt", "Jobcenter", "Freier Träger"),
    "Finanzen / Schulden": ("Freier Träger",),
    "Freizeit / Teilhabe": ("Ehrenamt", "Migrantenorganisation"),
}
TOPIC_WEIGHTS = {
    "Sprache": 16,
    "Arbeit": 16,
    "Aufenthalt": 12,
    "Wohnen": 12,
    "Soziales": 12,
    "Familie": 10,
    "Bildung": 9,
    "Gesundheit": 6,
    "Finanzen / Schulden": 4,
    "Freizeit / Teilhabe": 3,
}
