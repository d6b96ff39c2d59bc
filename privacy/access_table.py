"""Who may do what, as a table generated from the access rules themselves (accounts.roles).

docs/datenschutz.md carries this table between markers; `manage.py access_table` prints it and
tests/privacy/test_access_table.py fails when the page no longer matches the code.
"""

from types import SimpleNamespace

from accounts import roles
from accounts.roles import ADMINISTRATION, CASE_MANAGEMENT, COORDINATION, STATISTICS, ScopeMunicipality
from audit.admin import may_read_audit_trail

START = "<!-- access-table:start -->"
END = "<!-- access-table:end -->"

# The columns: the four roles of accounts.roles and the superuser.
COLUMNS: tuple[tuple[str, set[str], bool], ...] = (
    ("Case Management", {CASE_MANAGEMENT}, False),
    ("Koordination", {COORDINATION}, False),
    ("Statistik", {STATISTICS}, False),
    ("Administration", {ADMINISTRATION}, True),
    ("Superuser", set(), True),
)
OWN_REGION = 1


def _user(role_names: set[str], *, staff: bool, superuser: bool):
    """A member of staff of Teilregion 1 of district 1, with the given roles (not saved: the
    rules read the roles and regions the way they are cached on a request's user)."""
    user = SimpleNamespace(
        pk=-1,
        is_authenticated=True,
        is_active=True,
        is_staff=staff,
        is_superuser=superuser,
        district_id=1,
    )
    user._kim_role_names = frozenset(role_names)
    user._kim_municipalities = [ScopeMunicipality(1, "Kommune", OWN_REGION, "Teilregion", 1, 1)]
    return user


def _case(user, *, assigned: bool):
    return SimpleNamespace(
        municipality=SimpleNamespace(region_id=OWN_REGION), case_manager_id=user.pk if assigned else -2
    )


# (what, scope, rule): each rule is asked for every column.
RULES = (
    ("Fälle und Klient/innen lesen", "eigene Teilregionen", roles.works_with_cases),
    (
        "Zugewiesenen Fall bearbeiten",
        "eigene Teilregionen",
        lambda u: roles.can_edit_case(u, _case(u, assigned=True)),
    ),
    (
        "Fall einer Kollegin bearbeiten",
        "eigene Teilregionen",
        lambda u: roles.can_edit_case(u, _case(u, assigned=False)),
    ),
    ("Klient/innen anlegen", "eigene Teilregionen", roles.can_register_clients),
    ("Fälle übergeben", "eigene Teilregionen", roles.can_assign_cases),
    ("Statistik (nur Zahlen)", "eigene Teilregionen", roles.can_view_statistics),
    ("Netzwerk pflegen", "eigener Kreis", roles.can_edit_network),
    ("Strukturthemen und Barrieren lesen", "eigener Kreis / Teilregionen", roles.can_view_structural),
    ("Strukturthemen bündeln und eskalieren", "eigener Kreis", roles.can_curate_themes),
    ("Steuerungsübersicht (Zahlen, Themen)", "eigener Kreis", roles.can_view_steering),
    ("Auslastung der Mitarbeitenden", "eigene Teilregionen", roles.can_view_capacity),
    ("Daten importieren", "eigene Teilregionen", roles.can_import),
    ("Protokoll (Audit-Trail) lesen", "eigener Kreis", may_read_audit_trail),
    ("Verwaltung: Konten, Netzwerk, Protokoll", "eigener Kreis", lambda u: u.is_staff),
    ("Zweiter Faktor (TOTP) nötig", "jede Seite", roles.needs_second_factor),
)


def access_table() -> str:
    """The Markdown table: one row per rule, one column per role; superusers see all districts."""
    users = [_user(names, staff=staff, superuser=name == "Superuser") for name, names, staff in COLUMNS]
    header = "| Was | Reichweite | " + " | ".join(name for name, _n, _s in COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    for what, scope, rule in RULES:
        marks = " | ".join("ja" if rule(user) else "–" for user in users)
        lines.append(f"| {what} | {scope} | {marks} |")
    return "\n".join(lines)


INVENTORY_START = "<!-- inventory-table:start -->"
INVENTORY_END = "<!-- inventory-table:end -->"

_CATEGORY = {"personal": "personenbezogen", "special": "besonders schutzwürdig"}
_TREATMENT = {
    "keep": "bleibt",
    "blank": "Text wird „[gelöscht]“",
    "delete": "wird gelöscht",
    "anonymise": "wird anonymisiert",
}
_KIND = {"documents": "Dokumente", "notes": "Notizen", "client_identity": "Identität"}


def inventory_table() -> str:
    """What is stored about people, from privacy.inventory.INVENTORY: per model the personal
    and special fields and what the retention run does with them."""
    from django.apps import apps

    from privacy.inventory import INVENTORY

    rows: dict[tuple[str, str, str], list[str]] = {}
    for key, entry in INVENTORY.items():
        if entry.category == "none":
            continue
        label, field = key.rsplit(".", 1)
        model_class = apps.get_model(label)
        treatment = _TREATMENT[entry.treatment]
        if entry.kind:
            treatment += f" (Frist: {_KIND.get(entry.kind, entry.kind)})"
        verbose = model_class._meta.get_field(field).verbose_name
        group = (str(model_class._meta.verbose_name_plural), _CATEGORY[str(entry.category)], treatment)
        rows.setdefault(group, []).append(str(verbose))
    lines = ["| Daten | Art | nach Ablauf der Frist | Felder |", "|---|---|---|---|"]
    for (name, category, treatment), fields in sorted(rows.items()):
        lines.append(f"| {name} | {category} | {treatment} | {', '.join(sorted(fields))} |")
    return "\n".join(lines)
