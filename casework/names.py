"""How names are compared: one spelling-tolerant form for search and duplicate checks.

Case workers type names as they hear them: "Yilmaz" for "Yılmaz", "Mueller" or "Muller"
for "Müller". `normalise_name` folds a name onto lower-case ASCII with German umlauts
spelt out; `search_key` adds the spelling without the umlaut's "e" where that differs, so
a substring search on the key finds the name however it was typed.
"""

import unicodedata

_NAME_FOLDING = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe"}
)
_UMLAUTS_DROPPED = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})

# The longest key stored (Case.search_name); longer names are cut, the search still finds them.
SEARCH_KEY_LENGTH = 255


def normalise_name(name: str) -> str:
    """Lower case, German umlauts spelt out, other accents dropped, single spaces."""
    folded = name.lower().translate(_NAME_FOLDING)
    decomposed = unicodedata.normalize("NFKD", folded)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def search_key(*names: str) -> str:
    """The searchable form of a person's or household's name (see module docstring)."""
    text = " ".join(name for name in names if name)
    key = normalise_name(text)
    plain = normalise_name(text.lower().translate(_UMLAUTS_DROPPED))
    if plain != key:
        key = f"{key} {plain}"
    return key[:SEARCH_KEY_LENGTH]


def person_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """A user's name as `str(user)` gives it (accounts.User.__str__), from plain columns; empty
    for no user (the columns of an outer join)."""
    if username is None:
        return ""
    return f"{first_name} {last_name}".strip() or username
