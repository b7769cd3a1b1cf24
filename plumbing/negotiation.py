"""Content negotiation that ignores a `?format=` it does not know.

DRF's default answers 404 to `?format=anything` no renderer of the view has, on every
endpoint (found by the schema fuzz: a stray `format` parameter turned a valid request
into an undocumented 404). A format a renderer has still picks it (`/api/schema/?format=json`).
"""

from rest_framework.negotiation import DefaultContentNegotiation


class KnownFormatsNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        known = [renderer for renderer in renderers if renderer.format == format]
        return known or renderers
