"""deploy/varnish.vcl run for real in front of a stub backend (purges by surrogate key,
cookies, what is cached), and the admin-form reader of the cluster check
(deploy/cluster/admin_form.py). `make cluster-check` runs the whole cluster."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
sys.path.insert(0, str(ROOT / "deploy" / "cluster"))

from admin_form import csrf_token, form_fields, with_value  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _varnishd() -> str:
    if not Path(VARNISHD).exists():
        pytest.fail("varnishd is not installed: run `make system-deps` (Debian's varnish)")
    return VARNISHD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Backend(BaseHTTPRequestHandler):
    """/api/v1/<key>/: public for 60 s, Surrogate-Key `<key> list`; /feeds/...: no
    Cache-Control. Every answer counts the fetches and echoes the Cookie it got."""

    fetches: dict[str, int] = {}
    cookies: dict[str, str | None] = {}

    def do_GET(self):
        count = self.fetches[self.path] = self.fetches.get(self.path, 0) + 1
        self.cookies[self.path] = self.headers.get("Cookie")
        self.send_response(200)
        if self.path.startswith("/api/v1/"):
            key = self.path.split("/")[3]
            self.send_header("Cache-Control", "public, max-age=0, s-maxage=60")
            self.send_header("Surrogate-Key", f"{key} list")
        body = f"{self.path} fetch {count}".encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def varnish(tmp_path_factory):
    binary = _varnishd()
    backend = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    work = tmp_path_factory.mktemp("varnish")
    vcl = work / "test.vcl"
    text = VCL.read_text()
    for port in ("8101", "8102"):
        text = text.replace(f'.port = "{port}"', f'.port = "{backend.server_port}"')
    vcl.write_text(text)
    port = _free_port()
    command = [
        binary,
        "-j",
        "none",
        "-F",
        "-a",
        f"127.0.0.1:{port}",
        "-f",
        str(vcl),
        "-n",
        str(work / "n"),
    ]
    process = subprocess.Popen(
        [*command, "-s", "malloc,16m"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if _send("GET", port, "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail(f"varnishd did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(10)
    backend.shutdown()


def _send(method, port, path, headers=None, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request(method, path, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.headers, answer.read().decode()
    finally:
        conn.close()


def test_the_vcl_compiles(tmp_path):
    result = subprocess.run(
        [_varnishd(), "-j", "none", "-C", "-f", str(VCL), "-n", str(tmp_path / "n")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_a_purge_bans_the_objects_holding_a_key_as_a_whole_word(varnish):
    for path in ("/api/v1/article-1/", "/api/v1/article-10/"):
        _send("GET", varnish, path)
        status, headers, _ = _send("GET", varnish, path)
        assert (status, headers["X-Cache"]) == (200, "HIT")
    # "article" and "article-1" are not "article-10"; "article-1" is not "article-10".
    assert _send("PURGE", varnish, "/", {"X-Purge-Keys": "article  article-1 "})[0] == 200
    assert _send("GET", varnish, "/api/v1/article-1/")[1]["X-Cache"] == "MISS"
    assert _send("GET", varnish, "/api/v1/article-10/")[1]["X-Cache"] == "HIT"
    assert _send("PURGE", varnish, "/", {"X-Purge-Keys": "nothing list"})[0] == 200
    status, headers, body = _send("GET", varnish, "/api/v1/article-10/")
    assert headers["X-Cache"] == "MISS" and body == "/api/v1/article-10/ fetch 2"


def test_a_purge_needs_keys_and_the_acl(varnish):
    assert _send("PURGE", varnish, "/")[0] == 400
    assert _send("PURGE", varnish, "/", {"X-Purge-Keys": "a|b"})[0] == 400
    outsider = _send("PURGE", varnish, "/", {"X-Purge-Keys": "list"}, source="127.0.0.2")
    assert outsider[0] == 405
    # Surrogate keys are shown to the ACL's hosts only.
    _, headers, _ = _send("GET", varnish, "/api/v1/shown/", source="127.0.0.2")
    assert "Surrogate-Key" not in headers
    assert _send("GET", varnish, "/api/v1/shown/")[1]["Surrogate-Key"] == "shown list"


def test_cookies_are_stripped_on_public_reads_unless_the_reader_is_pinned(varnish):
    path = "/api/v1/cookies/"
    _send("GET", varnish, path, {"Cookie": "tracker=1"})
    assert _Backend.cookies[path] is None
    assert _send("GET", varnish, path, {"Cookie": "tracker=1"})[1]["X-Cache"] == "HIT"
    status, headers, _ = _send("GET", varnish, path, {"Cookie": "tracker=1; db_pin=1"})
    assert headers["X-Cache"] == "PASS" and _Backend.cookies[path] == "tracker=1; db_pin=1"
    assert _send("GET", varnish, path, {"Authorization": "Token x"})[1]["X-Cache"] == "PASS"
    _send("GET", varnish, "/admin/", {"Cookie": "sessionid=s"})
    assert _Backend.cookies["/admin/"] == "sessionid=s"


def test_only_public_answers_are_cached(varnish):
    for _ in range(2):
        assert _send("GET", varnish, "/feeds/articles/")[0] == 200
    assert _Backend.fetches["/feeds/articles/"] == 2


CHANGE_FORM = """<form id="other"><input name="x" value="1"></form>
<form id="article_form" method="post">
<input type="hidden" name="csrfmiddlewaretoken" value="tok">
<input name="title" value="A &amp; B"><input type="checkbox" name="on" checked>
<input type="checkbox" name="off"><input type="submit" name="_save" value="Save">
<select name="status"><option value="draft">D</option>
<option value="published" selected>P</option></select>
<select name="tags" multiple><option value="1" selected>a</option><option value="2">b</option>
<option value="3" selected>c</option></select>
<textarea name="body">
first line
second</textarea></form>"""


def test_a_change_form_is_read_as_a_browser_submits_it():
    fields = form_fields(CHANGE_FORM, "article_form")
    assert fields == [
        ("csrfmiddlewaretoken", "tok"),
        ("title", "A & B"),
        ("on", "on"),
        ("status", "published"),
        ("tags", "1"),
        ("tags", "3"),
        ("body", "first line\nsecond"),
    ]
    assert csrf_token(CHANGE_FORM) == "tok"
    changed = with_value(fields, "status", "archived")
    assert ("status", "archived") in changed and ("status", "published") not in changed
    with pytest.raises(ValueError):
        with_value(fields, "missing", "x")
