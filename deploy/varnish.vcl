vcl 4.1;
# Varnish 7.1 in front of the app nodes (docs/deployment.md, "Varnish"; `make cluster`
# runs it on 127.0.0.1:8100 in front of two gunicorn nodes on 8101 and 8102).
#
# - Caches only what the app marks `Cache-Control: public` (the response cache's answers
#   under /api/v1/ and /wp-json/, with `s-maxage`); everything else passes.
# - Cookies are stripped from public GET/HEAD requests (/api/v1/ except the staff API,
#   /wp-json/, /feeds/, the sitemaps) so they hit the cache; a request carrying the
#   read-your-writes cookie `db_pin`, a session or an Authorization header passes to the
#   app (its reads come from the primary), as do the admin and every unsafe method.
# - `PURGE /` with `X-Purge-Keys: k1 k2` (plumbing/cdn/varnish.py) bans every object
#   whose Surrogate-Key holds one of the keys as a whole word; 405 outside the ACL.
# - `X-Cache: HIT|MISS|PASS` and `Age` tell clients what happened; Surrogate-Key and
#   Cache-Tag stay visible only to the purge ACL's hosts (the cluster check reads them).
#
# Production: list your app nodes as backends below, and the hosts that may purge (the
# app nodes and task workers, which send the PURGEs) in the ACL.

import directors;

probe healthz {
    .request =
        "GET /healthz HTTP/1.1"
        "Host: 127.0.0.1"
        "Connection: close"
        "User-Agent: varnish-probe";
    .expected_response = 200;
    .interval = 1s;
    .timeout = 2s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend node_a {
    .host = "127.0.0.1";
    .port = "8101";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
}

backend node_b {
    .host = "127.0.0.1";
    .port = "8102";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
}

acl purge {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_init {
    new nodes = directors.round_robin();
    nodes.add_backend(node_a);
    nodes.add_backend(node_b);
}

sub vcl_recv {
    set req.backend_hint = nodes.backend();
    unset req.http.X-Cache;  # ours to set (vcl_hit, vcl_miss, vcl_pass)

    if (req.method == "PURGE") {
        if (client.ip !~ purge) {
            return (synth(405, "Not allowed"));
        }
        if (!req.http.X-Purge-Keys || req.http.X-Purge-Keys !~ "^[a-z0-9 -]+$") {
            return (synth(400, "X-Purge-Keys: space-separated keys [a-z0-9-]"));
        }
        # "k1 k2" -> "k1|k2": the keys are [a-z0-9-], safe inside the regex.
        set req.http.X-Purge-Regex = regsuball(regsub(req.http.X-Purge-Keys, "^ +| +$", ""), " +", "|");
        # The regex holds no space, so it needs no quotes (quotes would be part of it),
        # and [[:space:]] rather than \s (the ban parser drops the backslash).
        ban("obj.http.Surrogate-Key ~ (^|[[:space:]])(" + req.http.X-Purge-Regex + ")([[:space:]]|$)");
        return (synth(200, "Banned"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff (session or token) and readers who just wrote read the primary: never cached.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)db_pin=") {
        return (pass);
    }
    if (req.url ~ "^/api/v1/(moderation|desk|privacy|commenters)/"
        || req.url ~ "^/api/v1/comments/unsubscribe/") {
        return (pass);
    }
    if (req.url ~ "^/(api/v1|wp-json|feeds)/" || req.url ~ "^/wp-json(\?|$)"
        || req.url ~ "^/sitemap[^/]*\.xml") {
        # Public reads carry no reader state: drop the cookies so they are cacheable.
        unset req.http.Cookie;
        return (hash);
    }
    return (pass);
}

sub vcl_backend_fetch {
    # A node that fails the fetch (refused, reset) is retried once on the other.
    if (bereq.retries > 0) {
        set bereq.backend = nodes.backend();
    }
}

sub vcl_backend_error {
    if (bereq.retries < 1) {
        return (retry);
    }
}

sub vcl_backend_response {
    if (beresp.status >= 500 && bereq.retries < 1 && bereq.method == "GET") {
        return (retry);
    }
    # The app decides: only `public` answers are stored, for their s-maxage (Varnish
    # reads s-maxage before max-age); Varnish's 120 s default never applies.
    if (beresp.http.Cache-Control !~ "(^|,\s*)public(\s*,|$)" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
}

sub vcl_hit {
    set req.http.X-Cache = "HIT";
}

sub vcl_miss {
    set req.http.X-Cache = "MISS";
}

sub vcl_pass {
    set req.http.X-Cache = "PASS";
}

sub vcl_deliver {
    set resp.http.X-Cache = req.http.X-Cache;
    if (client.ip !~ purge) {
        unset resp.http.Surrogate-Key;
        unset resp.http.Cache-Tag;
    }
}
