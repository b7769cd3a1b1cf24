"""WSGI entry point (gunicorn cms.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

application = get_wsgi_application()

# Valid stored answers of the public read API go out before Django builds a request
# (docs/performance.md); everything else goes through Django as before.
from plumbing.response_cache.front import wsgi_front  # noqa: E402 - needs the settings configured above

application = wsgi_front(application)
