"""Cloudflare: purge by cache-tag (`POST /zones/{zone_id}/purge_cache` with the JSON
body `{"tags": [...]}` and `Authorization: Bearer <token>`), at most CLOUDFLARE_PURGE_BATCH
tags a request (30 by default: the lowest per-request limit Cloudflare has documented;
larger plans take more)."""

from __future__ import annotations

import json
from urllib.parse import quote

from plumbing.cdn.base import Purger, Request


class CloudflarePurger(Purger):
    name = "cloudflare"

    def __init__(self, config: dict, *, timeout: float):
        super().__init__(config, timeout=timeout)
        self.batch_size = config["batch_size"]

    def requests(self, keys: list[str]) -> list[Request]:
        url = (
            f"{self.config['api_url'].rstrip('/')}/zones/"
            f"{quote(self.config['zone_id'])}/purge_cache"
        )
        headers = {
            "Authorization": f"Bearer {self.config['api_token']}",
            "Content-Type": "application/json",
        }
        return [Request("POST", url, headers, json.dumps({"tags": keys}).encode())]
