"""Log hygiene: email addresses and IP addresses are redacted from log lines.

Exception messages can quote data (a database error repeating a value, say); logs are
read by more people and kept longer than the database rows they describe. The filter
rewrites the message and the formatted traceback of every record the console handler
writes.
"""

import logging
import re
import traceback

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])")


def redact(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    text = IPV4.sub("[ip]", text)
    return IPV6.sub(
        lambda m: "[ip]" if m.group(0).count(":") >= 2 and len(m.group(0)) > 2 else m.group(0), text
    )


class RedactPrivateData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logged as it is
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
