"""Keeping an uploaded import file between the dry run and the real run.

The file lies in a private temporary directory (never under a path the web server serves),
named by a random token; the session maps the token to it, so only the user who uploaded
it can run or discard it. It is deleted after the real run, on „Abbrechen“, when the
same session uploads another file, and a day after an abandoned dry run.
"""

import os
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings

SESSION_KEY = "exchange_upload"
# A dry run nobody confirmed or cancelled (the browser was closed): its file goes after a day.
STALE_AFTER_SECONDS = 24 * 60 * 60


def upload_dir() -> Path:
    path = Path(getattr(settings, "KIM_IMPORT_TMP_DIR", Path(tempfile.gettempdir()) / "kim-imports"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _purge_stale(directory: Path) -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass  # removed by a parallel request


def store(request, *, data: bytes, filename: str, kind: str, district_id: int | None) -> str:
    discard(request)
    _purge_stale(upload_dir())
    token = uuid.uuid4().hex
    path = upload_dir() / token
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    request.session[SESSION_KEY] = {
        "token": token,
        "filename": filename[:200],
        "kind": kind,
        "district_id": district_id,
    }
    return token


def load(request, token: str) -> tuple[dict, bytes] | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("token") != token:
        return None
    path = upload_dir() / stored["token"]
    if not path.is_file():
        return None
    return stored, path.read_bytes()


def discard(request) -> None:
    stored = request.session.pop(SESSION_KEY, None)
    if stored:
        (upload_dir() / stored["token"]).unlink(missing_ok=True)
