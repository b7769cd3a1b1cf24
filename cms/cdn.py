"""The CDN purgers' settings, from the environment (a settings helper; the purging is
plumbing/cdn/, the whole story docs/deployment.md).

CDN_PURGERS names the purgers (`varnish`, `fastly`, `cloudflare`, comma-separated);
empty, the default, purges nothing and costs nothing on writes. A named purger whose
settings are missing refuses to start, rather than failing every purge later.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from cms.env import env_bool, env_float, env_int, env_list

_KNOWN = ("varnish", "fastly", "cloudflare")


def _required(name: str, purger: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"CDN_PURGERS names {purger}: set {name}")
    return value


def cdn_purge_settings() -> tuple[list[str], dict[str, dict], float]:
    """(CDN_PURGERS, CDN_PURGE: each named purger's settings, CDN_PURGE_TIMEOUT)."""
    names = [name.lower() for name in env_list("CDN_PURGERS", [])]
    unknown = sorted(set(names) - set(_KNOWN))
    if unknown:
        raise ImproperlyConfigured(f"CDN_PURGERS: unknown {unknown}; known: {list(_KNOWN)}")
    config: dict[str, dict] = {}
    if "varnish" in names:
        urls = env_list("VARNISH_PURGE_URLS", [])
        if not urls:
            raise ImproperlyConfigured("CDN_PURGERS names varnish: set VARNISH_PURGE_URLS")
        config["varnish"] = {"urls": urls}
    if "fastly" in names:
        config["fastly"] = {
            "service_id": _required("FASTLY_SERVICE_ID", "fastly"),
            "api_token": _required("FASTLY_API_TOKEN", "fastly"),
            "api_url": os.environ.get("FASTLY_API_URL", "https://api.fastly.com"),
            "soft": env_bool("FASTLY_SOFT_PURGE", False),
        }
    if "cloudflare" in names:
        config["cloudflare"] = {
            "zone_id": _required("CLOUDFLARE_ZONE_ID", "cloudflare"),
            "api_token": _required("CLOUDFLARE_API_TOKEN", "cloudflare"),
            "api_url": os.environ.get("CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4"),
            "batch_size": max(1, env_int("CLOUDFLARE_PURGE_BATCH", 30)),
        }
    return list(dict.fromkeys(names)), config, env_float("CDN_PURGE_TIMEOUT", 5.0)
