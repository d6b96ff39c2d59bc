"""Keep personal data out of logs and error reports.

Ids and reference numbers in paths are fine; query strings are not: the case and client
lists are searched with `?q=<name>`, so a logged URL would put a client's name in the log.
"""

import copy
import logging
import re
from collections.abc import Mapping

from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.debug import SafeExceptionReporterFilter

# A "?" glued to a path and followed by parameters: "/faelle/?q=Haddad". A question mark in
# prose ("gesperrt? Bitte …") is followed by a space and stays.
QUERY_STRING = re.compile(r"(?<=[^\s?])\?[^\s\"']+")
REDACTED_QUERY = "?[entfernt]"


def redact_query_strings(text: str) -> str:
    return QUERY_STRING.sub(REDACTED_QUERY, text)


def _redact(value):
    return redact_query_strings(value) if isinstance(value, str) else value


def request_without_query(request: HttpRequest) -> HttpRequest:
    """A copy of `request` for log records: path and headers, no parameters or form data."""
    clone = copy.copy(request)
    clone.META = {key: "" if key == "QUERY_STRING" else _redact(value) for key, value in request.META.items()}
    clone.GET = QueryDict()
    clone._post = QueryDict()
    clone._files = MultiValueDict()
    return clone


class RedactQueryStrings(logging.Filter):
    """Replace query strings in a log record's message, arguments and request.

    Installed on the `django.request` and `django.server` loggers (so every handler, also
    Django's own, sees the redacted record) and on our handlers (for other loggers that log
    a URL or attach a request).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "query_strings_redacted", False):
            return True
        record.msg = _redact(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _redact(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redact(arg) for arg in record.args)
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            record.request = request_without_query(request)
        record.query_strings_redacted = True
        return True


class NoPersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (mailed or logged) without form data and without local variables.

    Both routinely hold client data: the form a case manager posted, the client object in
    a view's locals. With DEBUG on, the developer's error page still shows everything.
    """

    def get_post_parameters(self, request):
        if request is None:
            return {}
        if not self.is_active(request):
            return request.POST
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors; the message has been redacted already."""

    FIELDS = ("status_code",)

    def format(self, record: logging.LogRecord) -> str:
        import json

        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in self.FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
