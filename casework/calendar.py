"""The personal calendar feed (iCalendar, RFC 5545): secret addresses and the file itself.

The feed is read by calendar programs that cannot sign in: the secret token in its address is
its only authentication. Only a SHA-256 of the token is stored, and the comparison is
constant-time. The feed names no person: each event is "Termin" with the case's reference
number, the time, the kind (vor Ort / Video / Telefon) and a link to the case page, which
asks for a login. Place, note, people and interpreter language stay in KIM.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

TOKEN_BYTES = 32
# A comparison against this when a user has no feed: the answer takes as long as a wrong token.
_NO_FEED_HASH = "0" * 64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(stored_hash: str | None, token: str) -> bool:
    return hmac.compare_digest(stored_hash or _NO_FEED_HASH, token_hash(token)) and stored_hash is not None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545, 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(events, *, host: str) -> str:
    """`events`: (uid, starts_at, ends_at, updated_at, reference, mode label, case url) tuples."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//KIM Fallarbeit//Termine//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(_('KIM – meine Termine'))}",
    ]
    stamp = _utc(timezone.now())
    for uid, starts_at, ends_at, updated_at, reference, mode, url in events:
        summary = _("Termin %(reference)s (%(mode)s)") % {"reference": reference, "mode": mode}
        lines += [
            "BEGIN:VEVENT",
            f"UID:appointment-{uid}@{host}",
            f"DTSTAMP:{stamp}",
            f"LAST-MODIFIED:{_utc(updated_at)}",
            f"DTSTART:{_utc(starts_at)}",
            f"DTEND:{_utc(ends_at)}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(_('Einzelheiten in KIM: %(url)s') % {'url': url})}",
            f"URL:{url}",
            "CLASS:PRIVATE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
