"""`make cluster` / `make cluster-stop`: a PostgreSQL primary and a streaming replica, a
Redis, two gunicorn app nodes, a task worker and Varnish, all on this machine, all under
var/cluster/ (docs/deployment.md, "A cluster on one machine").

    .venv/bin/python deploy/cluster/cluster.py start     # idempotent: starts what is down
    .venv/bin/python deploy/cluster/cluster.py stop      # keeps the data for the next start
    .venv/bin/python deploy/cluster/cluster.py stop --clean   # and removes var/cluster/
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys

from common import (
    ADMIN_USER,
    APPLY_DELAY_SECONDS,
    DB_NAME,
    LOGS,
    NODE_PORTS,
    PASSWORD_FILE,
    PG_BIN,
    PG_USER,
    PRIMARY_DATA,
    PRIMARY_PORT,
    PYTHON,
    REDIS_PORT,
    REPLICA_DATA,
    REPLICA_PORT,
    ROOT,
    SECRET_FILE,
    VAR,
    VARNISH_DIR,
    VARNISH_PORT,
    VARNISH_URL,
    VCL,
    answers,
    app_env,
    pidfile,
    psql,
    read_pid,
    run,
    stop_pid,
    url,
    wait_for,
)

PRIMARY_CONF = f"""
# --- make cluster: the primary ---
listen_addresses = '127.0.0.1'
port = {PRIMARY_PORT}
unix_socket_directories = '{VAR}/run'
wal_level = replica
max_wal_senders = 5
hot_standby = on
shared_buffers = 64MB
shared_preload_libraries = 'pg_stat_statements'
"""
# Appended to the replica's copy of the primary's postgresql.conf: later lines win.
REPLICA_CONF = f"""
# --- make cluster: the streaming replica ---
port = {REPLICA_PORT}
recovery_min_apply_delay = '{APPLY_DELAY_SECONDS}s'
hot_standby_feedback = on
"""


def say(message: str) -> None:
    print(f"cluster: {message}", flush=True)


def chown_pg(*paths) -> None:
    if os.geteuid() == 0:
        for path in paths:
            shutil.chown(path, PG_USER, PG_USER)


def pg_ctl(data, log, action: str) -> None:
    args = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "60", action]
    if action == "start":
        args[1:1] = ["-l", str(log)]
    if action == "stop":
        args += ["-m", "fast"]
    run(args, as_pg=True, stdout=subprocess.DEVNULL)


def log_file(name: str):
    """A log under var/cluster/logs/ that the postgres user may write."""
    path = LOGS / f"{name}.log"
    path.touch()
    chown_pg(path)
    return path


def start_primary() -> None:
    if read_pid("primary"):
        return say(f"primary already running on :{PRIMARY_PORT}")
    if not (PRIMARY_DATA / "PG_VERSION").exists():
        say(f"initdb {PRIMARY_DATA}")
        PRIMARY_DATA.mkdir(mode=0o700)
        chown_pg(PRIMARY_DATA)
        initdb = [str(PG_BIN / "initdb"), "-D", str(PRIMARY_DATA), "-U", PG_USER]
        run([*initdb, "--auth=trust", "-E", "UTF8"], as_pg=True, stdout=subprocess.DEVNULL)
        with open(PRIMARY_DATA / "postgresql.conf", "a") as conf:
            conf.write(PRIMARY_CONF)
    pg_ctl(PRIMARY_DATA, log_file("pg-primary"), "start")
    exists = f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"  # noqa: S608 - a constant
    if not psql(PRIMARY_PORT, exists, "postgres"):
        psql(PRIMARY_PORT, f"CREATE DATABASE {DB_NAME}", "postgres")
        psql(PRIMARY_PORT, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    say(f"primary up on :{PRIMARY_PORT}")


def start_replica() -> None:
    if read_pid("replica"):
        return say(f"replica already running on :{REPLICA_PORT}")
    if not (REPLICA_DATA / "PG_VERSION").exists():
        say(f"pg_basebackup -R into {REPLICA_DATA}")
        shutil.rmtree(REPLICA_DATA, ignore_errors=True)
        REPLICA_DATA.mkdir(mode=0o700)
        chown_pg(REPLICA_DATA)
        backup = [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT)]
        run([*backup, "-U", PG_USER, "-D", str(REPLICA_DATA), "-R", "-X", "stream"], as_pg=True)
        with open(REPLICA_DATA / "postgresql.conf", "a") as conf:
            conf.write(REPLICA_CONF)
    pg_ctl(REPLICA_DATA, log_file("pg-replica"), "start")
    say(f"replica up on :{REPLICA_PORT} (streaming, applying {APPLY_DELAY_SECONDS} s late)")


def start_redis() -> None:
    if read_pid("redis"):
        return say(f"redis already running on :{REDIS_PORT}")
    args = ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1"]
    args += ["--save", "", "--appendonly", "no", "--daemonize", "yes", "--dir", str(VAR)]
    args += ["--pidfile", str(pidfile("redis")), "--logfile", str(LOGS / "redis.log")]
    run(args)
    wait_for("redis", lambda: read_pid("redis") is not None, timeout=10)
    say(f"redis up on :{REDIS_PORT} (no persistence)")


def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return run([PYTHON, str(ROOT / "manage.py"), *args], env=app_env(), cwd=ROOT, **kwargs)


SET_POLICY = """
from comments.models import ModerationPolicy
policy = ModerationPolicy.load()
policy.default_status = "approved"
policy.approved_comments_required = 0
policy.save()
"""


def prepare_app() -> str | None:
    """Migrations, static files, demo data, the admin account and the moderation policy
    on the primary; the admin's password when it was created now."""
    quiet = {"stdout": subprocess.DEVNULL}
    say("migrate, collectstatic, load_demo_data (on the primary)")
    manage("migrate", "--noinput", **quiet)
    if not (VAR / "static" / "staticfiles.json").exists():
        manage("collectstatic", "--noinput", **quiet)
    manage("load_demo_data", **quiet)
    if PASSWORD_FILE.exists():
        return None
    password = secrets.token_urlsafe(18)
    env = app_env() | {"DJANGO_SUPERUSER_PASSWORD": password}
    args = ["createsuperuser", "--noinput", "--username", ADMIN_USER, "--email", ""]
    run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, **quiet)
    # The cluster's site publishes comments at once, as an operator sets it in the admin
    # (Comments > Moderation policy): default status approved, no new-commenter hold.
    manage("shell", "-c", SET_POLICY)
    PASSWORD_FILE.write_text(password)
    PASSWORD_FILE.chmod(0o600)
    return password


def spawn(name: str, args: list[str], *, write_pid: bool) -> None:
    log = open(LOGS / f"{name}.log", "a")  # noqa: SIM115 (the child keeps it)
    env = app_env() | {"GUNICORN_BIND": f"127.0.0.1:{NODE_PORTS.get(name[-1], 0)}"}
    child = subprocess.Popen(  # noqa: S603 - our own commands
        args, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
    )
    if write_pid:
        pidfile(name).write_text(f"{child.pid}\n")


def start_node(node: str) -> None:
    name = f"node-{node}"
    port = NODE_PORTS[node]
    if read_pid(name):
        return say(f"{name} already running on :{port}")
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    args = [gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    spawn(name, [*args, "--pid", str(pidfile(name)), "cms.wsgi"], write_pid=False)
    wait_for(name, lambda: answers(f"{url(port)}/healthz"))
    say(f"{name} up on {url(port)}")


def start_worker() -> None:
    if read_pid("worker"):
        return say("task worker already running")
    args = [PYTHON, str(ROOT / "manage.py"), "db_worker", "--no-startup-delay", "--no-reload"]
    spawn("worker", [*args, "--interval", "0.2"], write_pid=True)
    say("task worker (db_worker, polling every 0.2 s) started")


def start_varnish() -> None:
    if read_pid("varnish"):
        return say(f"varnish already running on :{VARNISH_PORT}")
    VARNISH_DIR.mkdir(exist_ok=True)
    args = ["varnishd", "-a", f"127.0.0.1:{VARNISH_PORT}", "-f", str(VCL)]
    args += ["-n", str(VARNISH_DIR), "-s", "malloc,64m", "-P", str(pidfile("varnish"))]
    run(args, stdout=subprocess.DEVNULL)
    wait_for("varnish", lambda: answers(f"{VARNISH_URL}/healthz"), timeout=30)
    say(f"varnish up on {VARNISH_URL}")


NAMES = ["primary", "replica", "redis", "node-a", "node-b", "worker", "varnish"]


def start() -> None:
    if all(read_pid(name) for name in NAMES):
        say(f"already up: {VARNISH_URL} (make cluster-stop to stop it)")
        return
    for path in (VAR, LOGS, VAR / "run"):
        path.mkdir(parents=True, exist_ok=True)
    chown_pg(VAR / "run")
    if not SECRET_FILE.exists():
        SECRET_FILE.write_text(secrets.token_urlsafe(50))
        SECRET_FILE.chmod(0o600)
    start_primary()
    start_replica()
    start_redis()
    password = prepare_app()
    start_node("a")
    start_node("b")
    start_worker()
    start_varnish()
    print(f"\nCluster up (var/cluster/, logs in {LOGS}):")
    print(f"  Varnish    {VARNISH_URL}/   (admin: {VARNISH_URL}/admin/, user {ADMIN_USER})")
    for node, port in NODE_PORTS.items():
        print(f"  node {node}     {url(port)}/")
    print(f"  primary    postgres://{PG_USER}@127.0.0.1:{PRIMARY_PORT}/{DB_NAME}")
    print(f"  replica    postgres://{PG_USER}@127.0.0.1:{REPLICA_PORT}/{DB_NAME}")
    print(f"  redis      redis://127.0.0.1:{REDIS_PORT}/0")
    if password:
        print(f"  admin password (shown once, kept in {PASSWORD_FILE}): {password}")
    else:
        print(f"  admin password: in {PASSWORD_FILE}")


def stop(clean: bool) -> None:
    for name in ["varnish", "node-a", "node-b", "worker", "redis"]:
        if stop_pid(name):
            say(f"{name} stopped")
        pidfile(name).unlink(missing_ok=True)
    for name, data in (("replica", REPLICA_DATA), ("primary", PRIMARY_DATA)):
        if read_pid(name):
            pg_ctl(data, None, "stop")
            say(f"{name} stopped")
    if clean:
        shutil.rmtree(VAR, ignore_errors=True)
        say(f"removed {VAR}")
    else:
        say(f"data kept in {VAR} (make cluster-stop CLEAN=1 removes it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--clean", action="store_true", help="stop: remove var/cluster/ too")
    options = parser.parse_args()
    try:
        start() if options.action == "start" else stop(options.clean)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        sys.exit(f"cluster: {exc}")


if __name__ == "__main__":
    main()
