"""The read replicas' DATABASES entries, from DATABASE_REPLICA_URLS (a settings helper:
the routing itself is plumbing/db_routing.py; docs/deployment.md, "Read replicas")."""

import dj_database_url


def replica_databases(urls: list[str], primary: dict) -> dict[str, dict]:
    """`replica_1`, `replica_2`, ... for `urls`, with the primary's connection lifetime,
    a short connect timeout (a replica that does not answer is skipped, not waited for)
    and TEST MIRROR, so tests read the same data through them as through `default`."""
    databases = {}
    for number, url in enumerate(urls, start=1):
        replica = dj_database_url.parse(
            url, conn_max_age=primary["CONN_MAX_AGE"], conn_health_checks=True
        )
        if replica["ENGINE"] != "django.db.backends.sqlite3":
            options = replica.setdefault("OPTIONS", {})
            options.setdefault("connect_timeout", 2)
            # The primary's planner settings (DATABASE_RANDOM_PAGE_COST): same plans.
            if "options" in primary.get("OPTIONS", {}):
                options.setdefault("options", primary["OPTIONS"]["options"])
        replica["TEST"] = {"MIRROR": "default"}
        databases[f"replica_{number}"] = replica
    return databases
