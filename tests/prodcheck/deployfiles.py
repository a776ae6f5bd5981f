"""Reads the production files in deploy/ and templates them for this machine.

The files in deploy/ stay the real production files. Here we only swap well-known values for
loopback ports and temporary folders; each swap must find its value in the file, so a change in
deploy/ that this harness does not understand fails loudly instead of being checked half.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from tests.prodcheck.report import CheckFailed

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
# Where the runbook installs things on a server (deploy/README.md, "Layout on the server").
SERVER_CODE = "/srv/renovation"
SERVER_ETC = "/etc/renovation"
SERVER_MEDIA = "/var/lib/renovation/media"
SERVER_PRIVATE = "/var/lib/renovation/private"
SERVER_PAGE_CACHE = "/var/cache/nginx/renovation"
SERVER_STATIC = "/var/lib/renovation/static"
HOST_NAME = "renovation.example.gov.cn"


@dataclass
class Unit:
    """The parts of a systemd service unit that decide how its process runs."""

    name: str
    exec_start: list[str]
    environment: dict[str, str] = field(default_factory=dict)
    environment_files: list[str] = field(default_factory=list)
    working_directory: str = SERVER_CODE
    runtime_directories: list[str] = field(default_factory=list)  # RuntimeDirectory=, under /run


def _logical_lines(text: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith(("#", ";"))]


def read_unit(name: str) -> Unit:
    path = DEPLOY / "systemd" / name
    if not path.exists():
        raise FileNotFoundError(path)
    unit = Unit(name=name, exec_start=[])
    for line in _logical_lines(path.read_text(encoding="utf-8")):
        key, _, value = line.partition("=")
        if key == "ExecStart":
            unit.exec_start = shlex.split(value.lstrip("-@+!"))
        elif key == "Environment":
            for assignment in shlex.split(value):
                name_, _, val = assignment.partition("=")
                unit.environment[name_] = val
        elif key == "EnvironmentFile":
            unit.environment_files.append(value.lstrip("-"))
        elif key == "WorkingDirectory":
            unit.working_directory = value
        elif key == "RuntimeDirectory":
            unit.runtime_directories.extend(value.split())
    if not unit.exec_start:
        raise CheckFailed(f"deploy/systemd/{name} has no ExecStart=")
    return unit


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines, as systemd's EnvironmentFile= and `set -a; . file` both read them."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            raise CheckFailed(f"{path.name}: not a NAME=value line: {line!r}")
        values[name] = value
    return values


def replace_once(text: str, old: str, new: str, *, source: str, count: int | None = 1) -> str:
    """Swap a known value; the file must hold it (exactly `count` times, or at least once if None)."""
    found = text.count(old)
    if found == 0 or (count is not None and found != count):
        expected = "at least once" if count is None else f"{count} time(s)"
        raise CheckFailed(f"{source}: expected {old!r} {expected}, found it {found} time(s); update tests/prodcheck")
    return text.replace(old, new)


def template_command(unit: Unit, *, substitutions: dict[str, str], options: dict[str, str]) -> list[str]:
    """ExecStart with the server's paths swapped for this checkout's and some options re-valued.

    `options` maps an option (e.g. "--bind") to its new value; each must be in the command.
    """
    args = list(unit.exec_start)
    for option, value in options.items():
        if option not in args:
            raise CheckFailed(f"deploy/systemd/{unit.name}: ExecStart has no {option}; update tests/prodcheck")
        args[args.index(option) + 1] = value
    swapped = []
    for arg in args:
        for old, new in substitutions.items():
            arg = arg.replace(old, new)
        swapped.append(arg)
    return swapped


@dataclass
class SitePorts:
    http: int
    https: int
    web: list[int]
    ws: list[int]


def template_nginx_site(
    *,
    ports: SitePorts,
    cert: Path,
    key: Path,
    static: Path,
    media: Path,
    private: Path,
    page_cache: Path,
    nginx_dir: Path,
) -> str:
    """deploy/nginx/renovation.conf on loopback ports, with one upstream server per app node."""
    source = "deploy/nginx/renovation.conf"
    text = (DEPLOY / "nginx" / "renovation.conf").read_text(encoding="utf-8")
    web = "\n    ".join(f"server 127.0.0.1:{port} fail_timeout=0;" for port in ports.web)
    ws = "\n    ".join(f"server 127.0.0.1:{port} fail_timeout=0;" for port in ports.ws)
    text = replace_once(text, "server 127.0.0.1:8001 fail_timeout=0;", web, source=source)
    text = replace_once(text, "server 127.0.0.1:8002 fail_timeout=0;", ws, source=source)
    text = replace_once(text, "listen 80;", f"listen 127.0.0.1:{ports.http};", source=source)
    text = replace_once(text, "listen [::]:80;", "", source=source)
    text = re.sub(r"^(\s*)listen \[::\]:443 [^;]*;", r"\1", text, flags=re.MULTILINE)
    text, n = re.subn(
        r"^(\s*)listen 443 ssl( http2)?;", rf"\g<1>listen 127.0.0.1:{ports.https} ssl;", text, flags=re.MULTILINE
    )
    if n != 1:
        raise CheckFailed(f"{source}: expected one 'listen 443 ssl' line, found {n}; update tests/prodcheck")
    tls = f"/etc/nginx/tls/{HOST_NAME}"
    text = replace_once(text, f"{tls}/fullchain.pem", str(cert), source=source)
    text = replace_once(text, f"{tls}/privkey.pem", str(key), source=source)
    text = replace_once(text, f"{SERVER_STATIC}/", f"{static}/", source=source, count=None)
    text = replace_once(text, f"{SERVER_MEDIA}/", f"{media}/", source=source, count=None)
    text = replace_once(text, f"{SERVER_PRIVATE}/", f"{private}/", source=source, count=None)
    text = replace_once(
        text, f"proxy_cache_path {SERVER_PAGE_CACHE} ", f"proxy_cache_path {page_cache} ", source=source
    )
    # The site's own access log (with the request id) goes to the run's folder, and beside it the
    # log the failover check reads (which upstream took each request).
    text = replace_once(
        text,
        "access_log /var/log/nginx/renovation.access.log renovation_main;",
        f"access_log {nginx_dir}/renovation.access.log renovation_main;\n"
        f"    access_log {nginx_dir}/access.log prodcheck;",
        source=source,
    )
    return text


def nginx_main_conf(*, prefix: Path, site: Path) -> str:
    """The http{} around the site, as Debian's nginx.conf gives it, but in a temporary prefix."""
    return f"""# prod-check: written by tests/prodcheck, includes the templated deploy/nginx/renovation.conf
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    # One line per request, '|'-separated: status, every upstream tried and its status, and the
    # id the failover check gives each of its requests.
    log_format prodcheck '$request|$status|$upstream_addr|$upstream_status|$request_time|$http_x_prodcheck_request';
    access_log {prefix}/access.log prodcheck;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""
