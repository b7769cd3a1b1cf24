"""gunicorn's production settings: `gunicorn -c deploy/gunicorn.conf.py cms.wsgi`.

Meant to run behind deploy/nginx.conf (docs/deployment.md): nginx reads whole requests
from slow clients before gunicorn sees them, so the sync workers here never wait on a
client's bytes. Every value can be changed from the environment.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
# A request that takes longer than this is killed and answered 502 by nginx: no request
# of ours legitimately takes seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # nginx keeps upstream connections open (`keepalive` in its upstream)
# Recycle workers now and then, so a slow leak in a dependency cannot grow for ever.
max_requests = 5000
max_requests_jitter = 500

# Proxy trust follows TRUSTED_PROXY_COUNT, the setting Django uses for client IPs and
# X-Forwarded-Proto (cms/settings.py): with no trusted proxy (the default), gunicorn
# trusts no forwarding header from anyone, 127.0.0.1 included (its own default would
# trust X-Forwarded-Proto and a SCRIPT_NAME header from a local client).
if int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0) > 0:
    forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
else:
    forwarded_allow_ips = ""
# The site is served at the root: no proxy may move it (SCRIPT_NAME, PATH_INFO), and
# header names with underscores, which could pass for CGI variables, are dropped
# whoever sends them.
forwarder_headers = ""
header_map = "drop"
