"""`make cluster-check`: the scenario of docs/deployment.md ("A cluster on one machine")
against the cluster `make cluster` started. Prints each step, then one line ending in
PASS or FAIL (exit code 0 or 1). It leaves the cluster whole: node A and the replica,
stopped on purpose, are started again at the end.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.parse

import cluster
from admin_form import csrf_token, form_fields, with_value
from common import (
    ADMIN_USER,
    LOGS,
    NODE_PORTS,
    PASSWORD_FILE,
    PRIMARY_PORT,
    REPLICA_DATA,
    REPLICA_PORT,
    VARNISH_DIR,
    VARNISH_URL,
    psql,
    read_pid,
    request,
    run,
    url,
    wait_for,
)

NODE_A, NODE_B = url(NODE_PORTS["a"]), url(NODE_PORTS["b"])
# Table reads by the app, counted by pg_stat_statements on each server.
ARTICLE_READS = (
    "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
    " WHERE query LIKE '%FROM \"articles_article\"%' AND query NOT LIKE '%pg_stat_statements%'"
)
REPLICA_LSNS = (
    "SELECT concat_ws(' / ', pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(),"
    " now() - pg_last_xact_replay_timestamp())"
)
CHECK_SECONDS = 5  # plumbing/db_routing.py: how long a replica's verdict is kept
results: list[tuple[str, bool]] = []


def say(message: str) -> None:
    print(f"  {message}", flush=True)


def step(title: str):
    def wrap(function):
        def run(*args):
            print(f"\n[{len(results) + 1}] {title}", flush=True)
            try:
                ok = function(*args)
            except Exception as exc:  # a step that breaks fails, and the others still run
                say(f"error: {type(exc).__name__}: {exc}")
                ok = False
            say("ok" if ok else "FAILED")
            results.append((title, ok))
            return ok

        return run

    return wrap


def get(target: str, cookie: str = "") -> object:
    return request("GET", target, headers={"Cookie": cookie} if cookie else {})


# Tasks still to run (a purge's repeat is due 5 s after it), or one that ended (its row
# written) within the replica's apply delay.
QUEUE_BUSY = (
    "SELECT count(*) FROM django_tasks_database_dbtaskresult"
    " WHERE status IN ('READY', 'RUNNING') OR finished_at > now() - interval '3 seconds'"
)


def quiet_queue() -> None:
    """Wait (20 s at most) until the task queue is idle: what a previous run left (the
    repeats of its purges) writes to the primary, and while that write waits out the
    replica's apply delay a lag probe overstates the lag and the router skips it."""
    started = time.monotonic()
    while int(psql(PRIMARY_PORT, QUEUE_BUSY)) and time.monotonic() - started < 20:
        time.sleep(0.5)
    if time.monotonic() - started > 0.5:
        say(f"waited {time.monotonic() - started:.1f} s for the task queue to be idle")


def settle(nodes: list[str]) -> int:
    """Wait (30 s at most) until the nodes' feed reads go to the replica, 4 in a row per
    node: after a write that follows a quiet spell a router skips the replica for 5 s
    (its lag probe reads the age of the last replayed commit; step 2 shows it)."""
    quiet_queue()
    waited, in_a_row = time.monotonic(), 0
    while in_a_row < 4 * len(nodes) and time.monotonic() - waited < 30:
        target = f"{nodes[in_a_row % len(nodes)]}/feeds/articles/"
        _, server = served_by(lambda target=target: get(target), ARTICLE_READS)
        in_a_row = in_a_row + 1 if server == "replica" else 0
        time.sleep(0.1 if in_a_row else 1)
    took = time.monotonic() - waited
    say(f"feed reads on the replica: {in_a_row} in a row (waited {took:.1f} s for the routers)")
    if in_a_row < 4 * len(nodes):
        lsns = psql(REPLICA_PORT, REPLICA_LSNS)
        say(f"the replica's received / replayed WAL, age of the last replay: {lsns}")
        say(f"node B's log: {last_lag_warning()}")
    return in_a_row // len(nodes)


@step("public reads are served by the replica")
def replica_reads() -> bool:
    settle([NODE_A, NODE_B])
    before = {port: int(psql(port, ARTICLE_READS)) for port in (PRIMARY_PORT, REPLICA_PORT)}
    statuses = [get(f"{node}/feeds/articles/").status for node in (NODE_A, NODE_B) * 5]
    after = {port: int(psql(port, ARTICLE_READS)) for port in (PRIMARY_PORT, REPLICA_PORT)}
    on_replica = after[REPLICA_PORT] - before[REPLICA_PORT]
    on_primary = after[PRIMARY_PORT] - before[PRIMARY_PORT]
    say(f"10 GET /feeds/articles/ through nodes A and B: {statuses.count(200)} answered 200")
    say(f"article queries (pg_stat_statements): replica +{on_replica}, primary +{on_primary}")
    return statuses.count(200) == 10 and on_replica >= 10 and on_primary == 0


def post_comment(slug: str, body: str):
    payload = {"author_name": "Cluster Check", "author_email": "cluster-check@example.com"}
    data = json.dumps(payload | {"body": body}).encode()
    headers = {"Content-Type": "application/json"}
    target = f"{NODE_A}/api/v1/articles/{slug}/comments/"
    answer = request("POST", target, headers=headers, body=data)
    if answer.status == 429:  # the flood gate: a check run again within its interval
        wait = int(answer.headers.get("Retry-After", "15"))
        say(f"429 from the flood gate, posting again in {wait} s")
        time.sleep(wait)
        answer = request("POST", target, headers=headers, body=data)
    return answer


COMMENT_READS = ARTICLE_READS.replace("articles_article", "comments_comment")


def last_lag_warning() -> str:
    """Node B's last word on the replica's lag (its log)."""
    lines = (LOGS / "node-b.log").read_text(errors="replace").splitlines()
    return next((line for line in reversed(lines) if "Replica replica_1" in line), "(no warning)")


def served_by(read, counter: str = COMMENT_READS):
    """`read()`'s result and which server answered its queries (comments by default)."""
    before = {port: int(psql(port, counter)) for port in (PRIMARY_PORT, REPLICA_PORT)}
    result = read()
    after = {port: int(psql(port, counter)) for port in (PRIMARY_PORT, REPLICA_PORT)}
    servers = (("primary", PRIMARY_PORT), ("replica", REPLICA_PORT))
    moved = [name for name, port in servers if after[port] > before[port]]
    return result, "+".join(moved) or "no database"


@step("read-your-writes: a comment posted through node A, read through node B")
def read_your_writes(slug: str) -> bool:
    body = f"Cluster check comment {time.time():.0f}-{os.getpid()}"
    feed = f"{NODE_B}/feeds/articles/{slug}/comments/"
    answer = post_comment(slug, body)
    posted_at = time.monotonic()
    cookies = [v for k, v in answer.headers.items() if k.lower() == "set-cookie"]
    pin = next((c.split(";")[0] for c in cookies if c.startswith("db_pin=")), "")
    status = answer.json().get("status") if answer.status < 300 else answer.text[:200]
    say(f"POST through node A: {answer.status}, comment status {status!r}, cookie {pin!r}")
    if answer.status >= 300 or not pin:
        return False
    author_sees, server = served_by(lambda: body in get(feed, pin).text)
    say(
        f"the author (db_pin) reads the comment feed through node B at once: {author_sees} ({server})"
    )
    anyone_sees, server = served_by(lambda: body in get(feed).text)
    delay = cluster.APPLY_DELAY_SECONDS
    say(
        f"an anonymous reader right away (the replica applies {delay} s late): {anyone_sees} ({server})"
    )
    on_replica = seen = None
    has_it = "SELECT count(*) FROM comments_comment WHERE body = %s"
    while time.monotonic() - posted_at < 15 and (on_replica is None or seen is None):
        if on_replica is None and psql(REPLICA_PORT, has_it, params=(body,)) == "1":
            on_replica = time.monotonic() - posted_at
            say(f"the replica has the comment {on_replica:.1f} s after the POST")
        if seen is None:
            visible, server = served_by(lambda: body in get(feed).text)
            if visible:
                seen = time.monotonic() - posted_at
                say(f"an anonymous read through node B shows it {seen:.1f} s after ({server})")
                if server == "primary":
                    say(f"  node B's router skipped the replica: {last_lag_warning()}")
        time.sleep(0.1)
    if on_replica is None or seen is None:
        say("not seen by the replica or by anonymous readers within 15 s")
    return author_sees and on_replica is not None and seen is not None


class Editor:
    """The admin as an editor uses it: a session signed in through a node."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def _send(self, method: str, path: str, form: list | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers |= {"Content-Type": "application/x-www-form-urlencoded"}
            headers |= {"Referer": self.base + path, "Origin": self.base}
        answer = request(method, self.base + path, headers=headers, body=body)
        for key, value in answer.headers.items():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return answer

    def log_in(self, password: str) -> None:
        page = self._send("GET", "/admin/login/")
        form = [("csrfmiddlewaretoken", csrf_token(page.text) or "")]
        form += [("username", ADMIN_USER), ("password", password), ("next", "/admin/")]
        answer = self._send("POST", "/admin/login/?next=/admin/", form)
        if answer.status != 302:
            raise RuntimeError(f"admin login answered {answer.status}")

    def set_status(self, article_id: int, status: str) -> None:
        path = f"/admin/articles/article/{article_id}/change/"
        page = self._send("GET", path)
        fields = with_value(form_fields(page.text, "article_form"), "status", status)
        answer = self._send("POST", path, [*fields, ("_save", "Save")])
        if answer.status != 302:
            raise RuntimeError(f"saving the article answered {answer.status}: {answer.text[:300]}")


@step("an article published in the admin is purged from Varnish within a second")
def publish_purges(article: dict) -> bool:
    editor = Editor(NODE_A)
    editor.log_in(PASSWORD_FILE.read_text().strip())
    listing = f"{VARNISH_URL}/api/v1/articles/"
    editor.set_status(article["id"], "archived")
    say(f"editor archived {article['slug']!r} in the admin (through node A)")
    time.sleep(1.5)  # let that purge pass, then fill the cache again
    first, second = get(listing), get(listing)
    listed = article["slug"] in second.text
    say(
        f"GET /api/v1/articles/ through Varnish: {first.headers.get('X-Cache')}, then "
        f"{second.headers.get('X-Cache')} (Age {second.headers.get('Age')}), article listed: {listed}"
    )
    say(f"Surrogate-Key: {second.headers.get('Surrogate-Key')}")
    cached = second.headers.get("X-Cache") == "HIT" and not listed
    editor.set_status(article["id"], "published")
    saved_at = time.monotonic()
    seen_after, answer = None, None
    while time.monotonic() - saved_at < 5:
        answer = get(listing)
        if article["slug"] in answer.text:
            seen_after = time.monotonic() - saved_at
            break
        time.sleep(0.05)
    if seen_after is None:
        say("after publishing: Varnish still serves the old list after 5 s")
        return False
    say(
        f"editor published it again; Varnish serves the new list {seen_after:.2f} s after the "
        f"save ({answer.headers.get('X-Cache')}, Age {answer.headers.get('Age')})"
    )
    return cached and seen_after <= 1.0


def read_through(target: str, seconds: float, pause: float = 0.1) -> tuple[int, dict]:
    statuses: dict[int, int] = {}
    count, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status = get(target).status
        except OSError:
            status = 0
        statuses[status] = statuses.get(status, 0) + 1
        count += 1
        time.sleep(pause)
    return count, statuses


@step("node A killed while reads through Varnish continue on node B")
def node_a_killed() -> bool:
    pid = read_pid("node-a")
    if pid is None:
        raise RuntimeError("node A is not running")
    os.killpg(pid, signal.SIGKILL)  # the master and its workers: node A crashes
    say(f"killed node A (gunicorn master {pid} and its workers, SIGKILL)")
    count, statuses = read_through(f"{VARNISH_URL}/feeds/articles/", 6)
    say(f"{count} uncached reads through Varnish in the 6 s after: statuses {statuses}")
    try:
        direct = f"answers {request('GET', f'{NODE_A}/healthz', timeout=2).status}"
    except OSError as exc:
        direct = f"refuses ({type(exc).__name__})"
    say(f"node A directly: {direct}")
    backends = run(
        ["varnishadm", "-n", str(VARNISH_DIR), "backend.list"], capture_output=True, text=True
    )
    rows = [line.split() for line in backends.stdout.splitlines()[1:] if line.strip()]
    say("Varnish's probes: " + ", ".join(f"{row[0]} {row[3]}" for row in rows))
    node_a_sick = any(row[0].endswith("node_a") and row[3] == "sick" for row in rows)
    return set(statuses) == {200} and node_a_sick


def healthz_databases(base: str) -> list[dict]:
    return get(f"{base}/healthz").json().get("databases", [])


@step("the replica stopped: reads fall back to the primary")
def replica_stopped() -> bool:
    feed = f"{NODE_B}/feeds/articles/"
    # Node B's reads must be on the replica first, or stopping it would show nothing.
    in_a_row = settle([NODE_B])
    cluster.pg_ctl(REPLICA_DATA, None, "stop")
    stopped_at = time.monotonic()
    say("replica stopped (pg_ctl stop -m fast)")
    count, statuses = read_through(feed, CHECK_SECONDS + 1)
    say(
        f"{count} reads through node B in the first {CHECK_SECONDS + 1} s (while a worker may"
        f" still trust its last verdict on the replica): statuses {statuses}"
    )
    count2, statuses2 = read_through(feed, 4)
    say(f"{count2} reads through node B after that: statuses {statuses2}")
    replicas = [db for db in healthz_databases(NODE_B) if db["role"] == "replica"]
    say(f"/healthz on node B: {replicas}")
    before = int(psql(PRIMARY_PORT, ARTICLE_READS))
    for _ in range(5):
        get(feed)
    on_primary = int(psql(PRIMARY_PORT, ARTICLE_READS)) - before
    say(f"5 more feed reads: primary article queries +{on_primary}")
    say(f"({time.monotonic() - stopped_at:.1f} s since the stop)")
    healthy = set(statuses) | set(statuses2) == {200} and replicas and not replicas[0]["ok"]
    return in_a_row >= 4 and healthy and on_primary >= 5


def restore() -> bool:
    print("\n[*] leaving the cluster whole: the replica and node A started again", flush=True)
    try:
        cluster.start_replica()
        cluster.start_node("a")
        wait_for(
            "the replica in node B's /healthz",
            lambda: all(db["ok"] for db in healthz_databases(NODE_B)),
            timeout=30,
            interval=1,
        )
        say(f"/healthz on node B: {healthz_databases(NODE_B)}")
        lsns = psql(REPLICA_PORT, REPLICA_LSNS)
        say(f"the replica's received / replayed WAL, age of the last replay: {lsns}")
        return True
    except Exception as exc:
        say(f"error: {exc}")
        return False


def main() -> int:
    started = time.monotonic()
    article = get(f"{NODE_A}/api/v1/articles/").json()["results"][0]
    replica_reads()
    read_your_writes(article["slug"])
    publish_purges(article)
    node_a_killed()
    replica_stopped()
    whole = restore()
    failed = [title for title, ok in results if not ok]
    if not whole:
        failed.append("cluster restored")
    took = time.monotonic() - started
    print()
    if failed:
        print(
            f"cluster-check: {len(failed)} of {len(results)} steps failed ({'; '.join(failed)}) in {took:.0f} s: FAIL"
        )
        return 1
    print(f"cluster-check: {len(results)} of {len(results)} steps passed in {took:.0f} s: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
