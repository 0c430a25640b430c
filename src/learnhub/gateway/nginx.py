"""nginx configuration for the distributed mode, generated from the service registry."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from learnhub.gateway.dispatch import TOO_LARGE_DETAIL, TOO_LARGE_TITLE

# The same pattern the services accept (kit/http/middleware.py); anything else is replaced.
REQUEST_ID_PATTERN = "^[A-Za-z0-9._:-]{1,128}$"

# Errors nginx itself answers, as RFC 9457 problem documents like the services' own.
_GATEWAY_PROBLEMS = {
    404: ("Not Found", "There is no API at this path."),
    413: (TOO_LARGE_TITLE, TOO_LARGE_DETAIL),
    429: ("Too Many Requests", "Too many requests; slow down and retry in a moment."),
    502: ("Bad Gateway", "The service behind this path does not answer; retry shortly."),
    503: ("Service Unavailable", "The service behind this path is unavailable; retry shortly."),
    504: ("Gateway Timeout", "The service behind this path took too long to answer."),
}


@dataclass(frozen=True)
class Upstream:
    """A service (or the web UI) reachable at ``host:port`` that owns ``prefixes``."""

    name: str
    prefixes: tuple[str, ...]
    host: str
    port: int


def _location(prefix: str) -> str:
    # A prefix naming a file (jwks.json) is matched exactly; a folder (/api/v1/auth/ or
    # /api/v1/users) matches itself and everything below it, as the all-in-one dispatcher
    # does (a plain nginx prefix location would redirect /api/v1/auth to /api/v1/auth/).
    if not prefix.endswith("/") and "." in prefix.rsplit("/", 1)[-1]:
        return f"location = {prefix}"
    bare = re.escape(prefix.rstrip("/"))
    return f"location ~ ^{bare}(/|$)"


def _problem_body(status: int) -> str:
    title, detail = _GATEWAY_PROBLEMS[status]
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        separators=(",", ":"),
    )
    return "'" + body.replace("'", "\\'") + "'"


def render_nginx_config(
    upstreams: Sequence[Upstream],
    web: Upstream,
    *,
    listen: str = "127.0.0.1:8000",
    rate_limit: int = 50,
    anonymous_rate_limit: int = 200,
    address_rate_limit: int = 2000,
    session_cookie: str = "lh_session",
    max_body_bytes: int = 52 * 1024 * 1024,
    runtime_dir: Path | None = None,
    run_as_user: str | None = None,
    worker_processes: str = "auto",
) -> str:
    """A complete nginx.conf: one upstream per service, routes by path prefix, the web UI
    for everything else; rate limits, body-size limit, request ids passed on.

    Rate limits (requests per second, bursts of 4x, or 2x for the ceiling): signed-in
    traffic is limited per credential (its bearer token, or the web session cookie) at
    ``rate_limit``; anonymous traffic per client address at ``anonymous_rate_limit``; and
    every address, whatever it sends, at the far higher ``address_rate_limit``, so a
    classroom of hundreds of learners behind one school address is not stopped by one
    limit meant for a single person.

    ``runtime_dir`` puts the pid file, logs and temp folders there, so nginx runs from a
    plain user's folder without touching /etc or /var. ``run_as_user`` ("user [group]")
    is the account of the worker processes when nginx starts as root; they must be able
    to write the temp folders (request bodies larger than the buffer are kept there).
    """
    lines: list[str] = []
    if run_as_user:
        lines.append(f"user {run_as_user};")
    lines.append(f"worker_processes {worker_processes};")
    if runtime_dir is not None:
        lines += [
            f"pid {runtime_dir / 'nginx.pid'};",
            f"error_log {runtime_dir / 'error.log'} warn;",
        ]
    # Thousands of learners each keep a connection open (and each needs one upstream too).
    lines += [
        "worker_rlimit_nofile 20000;",
        "events { worker_connections 8192; }",
        "",
        "http {",
    ]
    body = [
        "access_log off;" if runtime_dir is None else f"access_log {runtime_dir / 'access.log'};",
        "sendfile on;",
        "tcp_nodelay on;",
        "keepalive_timeout 65;",
        "server_tokens off;",
        f"client_max_body_size {max_body_bytes};",
        # Who a request speaks for: its bearer token, else the web session, else nobody.
        "map $http_authorization $learnhub_credential {",
        f"    '' $cookie_{session_cookie};",
        "    default $http_authorization;",
        "}",
        "map $learnhub_credential $learnhub_anonymous_address {",
        "    '' $binary_remote_addr;",
        "    default '';",
        "}",
        f"limit_req_zone $learnhub_credential zone=per_credential:20m rate={rate_limit}r/s;",
        "limit_req_zone $learnhub_anonymous_address zone=anonymous_per_address:10m "
        f"rate={anonymous_rate_limit}r/s;",
        f"limit_req_zone $binary_remote_addr zone=per_address:10m rate={address_rate_limit}r/s;",
        "limit_req_status 429;",
        "map $http_x_request_id $learnhub_request_id {",
        "    default $request_id;",
        f'    "~{REQUEST_ID_PATTERN}" $http_x_request_id;',
        "}",
    ]
    if runtime_dir is not None:
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            body.append(f"{kind}_temp_path {runtime_dir / ('temp-' + kind)};")
    for upstream in [*upstreams, web]:
        body += [
            f"upstream learnhub_{upstream.name} {{",
            f"    server {upstream.host}:{upstream.port};",
            "    keepalive 64;",
            "}",
        ]
    body += [
        "server {",
        f"    listen {listen};",
        "    proxy_http_version 1.1;",
        "    proxy_set_header Connection '';",
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header X-Forwarded-Host $http_host;",
        "    proxy_set_header X-Request-ID $learnhub_request_id;",
        # The services echo the id they were given; send it back once, from here.
        "    proxy_hide_header X-Request-ID;",
        "    add_header X-Request-ID $learnhub_request_id always;",
        f"    limit_req zone=per_credential burst={max(1, rate_limit * 4)} nodelay;",
        "    limit_req zone=anonymous_per_address "
        f"burst={max(1, anonymous_rate_limit * 4)} nodelay;",
        f"    limit_req zone=per_address burst={max(1, address_rate_limit * 2)} nodelay;",
        "    proxy_intercept_errors off;",
    ]
    for status in (413, 429, 502, 503, 504):
        body.append(f"    error_page {status} @problem_{status};")
    for status in (413, 429, 502, 503, 504):
        body += [
            f"    location @problem_{status} {{",
            "        default_type application/problem+json;",
            f"        return {status} {_problem_body(status)};",
            "    }",
        ]
    body.append(
        "    location = /healthz { default_type application/json; "
        'return 200 \'{"status":"ok","service":"gateway"}\'; }'
    )
    for upstream in upstreams:
        for prefix in upstream.prefixes:
            body.append(
                f"    {_location(prefix)} {{ proxy_pass http://learnhub_{upstream.name}; }}"
            )
    body += [
        "    location /api/ {",
        "        default_type application/problem+json;",
        f"        return 404 {_problem_body(404)};",
        "    }",
        "    location / {",
        f"        proxy_pass http://learnhub_{web.name};",
        "        proxy_buffering off;",
        "        proxy_read_timeout 1h;",
        "    }",
        "}",
    ]
    lines += ["    " + line for line in body]
    lines.append("}")
    return "\n".join(lines) + "\n"
