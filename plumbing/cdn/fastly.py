"""Fastly: purge by surrogate key, in batches (the API's "purge multiple surrogate key
tags": `POST /service/{service_id}/purge`, the keys in a `Surrogate-Key` request header,
space-separated, at most 256 a request, the token in `Fastly-Key`)."""

from __future__ import annotations

from urllib.parse import quote

from plumbing.cdn.base import Purger, Request


class FastlyPurger(Purger):
    name = "fastly"
    batch_size = 256

    def requests(self, keys: list[str]) -> list[Request]:
        url = (
            f"{self.config['api_url'].rstrip('/')}/service/{quote(self.config['service_id'])}/purge"
        )
        headers = {
            "Fastly-Key": self.config["api_token"],
            "Surrogate-Key": " ".join(keys),
            "Accept": "application/json",
        }
        if self.config.get("soft"):
            # Marks the objects stale instead of dropping them: with stale-while-revalidate
            # a reader gets the old answer once while the new one is fetched.
            headers["Fastly-Soft-Purge"] = "1"
        return [Request("POST", url, headers)]
