"""The raw WSGI yardstick: a fixed JSON body (BENCH_RAW_BODY, a file) and no framework."""

import os
from pathlib import Path

BODY = Path(os.environ["BENCH_RAW_BODY"]).read_bytes()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
