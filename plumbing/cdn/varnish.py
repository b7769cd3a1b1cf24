"""Varnish (deploy/'s VCL): `PURGE /` with `X-Purge-Keys: k1 k2` to every Varnish in
VARNISH_PURGE_URLS; the VCL bans the objects whose Surrogate-Key holds one of them."""

from __future__ import annotations

from plumbing.cdn.base import Purger, Request


class VarnishPurger(Purger):
    name = "varnish"
    batch_size = 100

    def requests(self, keys: list[str]) -> list[Request]:
        header = {"X-Purge-Keys": " ".join(keys)}
        return [
            Request("PURGE", url.rstrip("/") + "/", dict(header)) for url in self.config["urls"]
        ]
