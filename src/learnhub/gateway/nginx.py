"""nginx configuration for the distributed mode, generated from the service registry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Upstream:
    """A service (or the web UI) reachable at ``host:port`` that owns ``prefixes``."""

    name: str
    prefixes: tuple[str, ...]
    host: str
    port: int


def _location(prefix: str) -> str:
    # A prefix ending in "/" is a folder; one naming a file (jwks.json) is matched exactly.
    if prefix.endswith("/"):
        return f"location {prefix}"
    if "." in prefix.rsplit("/", 1)[-1]:
        return f"location = {prefix}"
    return f"location ~ ^{prefix}(/|$)"


def render_nginx_config(
    upstreams: Sequence[Upstream],
    web: Upstream,
    *,
    listen: str = "127.0.0.1:8000",
    rate_limit: int = 50,
    body_limit: str = "10m",
    runtime_dir: Path | None = None,
    run_as_user: str | None = None,
) -> str:
    """A complete nginx.conf: one upstream per service, routes by path prefix, the web UI
    for everything else; per-address rate limits, body-size limit, request ids passed on.

    ``runtime_dir`` puts the pid file, logs and temp folders there, so nginx runs from a
    plain user's folder without touching /etc or /var.
    """
    lines: list[str] = []
    if run_as_user:
        lines.append(f"user {run_as_user};")
    lines.append("worker_processes auto;")
    if runtime_dir is not None:
        lines += [
            f"pid {runtime_dir / 'nginx.pid'};",
            f"error_log {runtime_dir / 'error.log'} warn;",
        ]
    lines += ["events { worker_connections 4096; }", "", "http {"]
    body = [
        "access_log off;" if runtime_dir is None else f"access_log {runtime_dir / 'access.log'};",
        "sendfile on;",
        "tcp_nodelay on;",
        "keepalive_timeout 65;",
        "server_tokens off;",
        f"client_max_body_size {body_limit};",
        f"limit_req_zone $binary_remote_addr zone=per_address:10m rate={rate_limit}r/s;",
        "limit_req_status 429;",
        "map $http_x_request_id $learnhub_request_id { default $http_x_request_id; '' $request_id; }",
        "map $http_upgrade $connection_upgrade { default upgrade; '' ''; }",
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
        "    proxy_set_header Host $host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header X-Request-ID $learnhub_request_id;",
        "    add_header X-Request-ID $learnhub_request_id always;",
        f"    limit_req zone=per_address burst={rate_limit * 4} nodelay;",
        '    location = /healthz { default_type application/json; return 200 \'{"status":"ok","service":"gateway"}\'; }',
    ]
    for upstream in upstreams:
        for prefix in upstream.prefixes:
            body += [f"    {_location(prefix)} {{ proxy_pass http://learnhub_{upstream.name}; }}"]
    body += [
        "    location /api/ {",
        "        default_type application/problem+json;",
        '        return 404 \'{"type":"about:blank","title":"Not Found","status":404}\';',
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
