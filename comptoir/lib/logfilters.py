"""Logging filters named by settings.LOGGING."""

import logging


class NoTracebackForRefusals(logging.Filter):
    """A 4xx logged by django.request (a 403 refused, a 404) keeps its one line, without the
    exception's traceback Django attaches: a refusal is an answer, not a failure, and its
    traceback would bury the real ones (5xx keep theirs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
