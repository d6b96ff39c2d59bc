import json
import logging

from kim.logging import JsonFormatter, RedactQueryStrings


def test_json_log_lines_carry_no_search_terms():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/faelle/?q=Zzyzx-Sentinel",), None
    )
    record.status_code = 404
    RedactQueryStrings().filter(record)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "django.request"
    assert entry["status_code"] == 404
    assert entry["message"] == "Not Found: /faelle/?[entfernt]"
    assert "Zzyzx-Sentinel" not in line
