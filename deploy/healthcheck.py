"""Container health check for the `web` service: GET /healthz on the local gunicorn.

Exit 0 when it answers 200 (Django is up and the database answers), 1 otherwise.
The image has no curl, hence this script (standard library only).

Django rejects a Host header that is not in ALLOWED_HOSTS, and with SECURE_SSL_REDIRECT it
redirects plain-HTTP requests, so the request carries the first allowed host and the
X-Forwarded-Proto header the proxy would send.
"""

from __future__ import annotations

import http.client
import os
import sys


def main() -> int:
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
    host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")
    port = int(os.environ.get("HEALTHCHECK_PORT", "8000"))
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"healthz: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"healthz: HTTP {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
