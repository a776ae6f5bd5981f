"""The templating prod-check applies to the real files in deploy/ (no processes, no database)."""

from pathlib import Path

import pytest

from tests.prodcheck.deployfiles import (
    DEPLOY,
    SitePorts,
    read_env_file,
    read_unit,
    replace_once,
    template_command,
    template_nginx_site,
)
from tests.prodcheck.report import CheckFailed


def _site(tmp_path: Path) -> str:
    ports = SitePorts(http=18080, https=18443, web=[18001, 18011], ws=[18002, 18012])
    return template_nginx_site(
        ports=ports,
        cert=tmp_path / "c.pem",
        key=tmp_path / "k.pem",
        static=tmp_path / "s",
        media=tmp_path / "m",
        private=tmp_path / "p",
        page_cache=tmp_path / "c",
        nginx_dir=tmp_path / "n",
    )


def test_it_lists_every_node_in_both_upstreams(tmp_path):
    site = _site(tmp_path)
    http = site.split("upstream renovation_http {")[1].split("}")[0]
    ws = site.split("upstream renovation_ws {")[1].split("}")[0]
    assert "server 127.0.0.1:18001 fail_timeout=0;" in http and "server 127.0.0.1:18011 fail_timeout=0;" in http
    assert "server 127.0.0.1:18002 fail_timeout=0;" in ws and "server 127.0.0.1:18012 fail_timeout=0;" in ws
    assert "8001" not in http.replace("18001", "") and "8002" not in ws.replace("18002", "")


def test_it_listens_on_loopback_only_with_the_given_certificate_and_folders(tmp_path):
    site = "\n".join(line for line in _site(tmp_path).splitlines() if not line.lstrip().startswith("#"))
    listens = [line.strip() for line in site.splitlines() if line.strip().startswith("listen")]
    assert listens == ["listen 127.0.0.1:18080;", "listen 127.0.0.1:18443 ssl;"]
    assert f"ssl_certificate     {tmp_path / 'c.pem'};" in site
    assert "/var/lib/renovation" not in site and "/etc/nginx" not in site
    assert f"alias {tmp_path / 'm'}/;" in site and f"alias {tmp_path / 's'}/;" in site


def test_a_value_missing_from_a_deploy_file_fails_and_names_it():
    with pytest.raises(CheckFailed, match=r"expected 'listen 8080;' 1 time\(s\), found it 0"):
        replace_once("listen 80;", "listen 8080;", "x", source="deploy/nginx/renovation.conf")


def test_it_reads_the_web_unit_and_swaps_its_options():
    unit = read_unit("renovation-web.service")
    assert unit.exec_start[0] == "/srv/renovation/.venv/bin/gunicorn"
    assert unit.environment["DJANGO_SETTINGS_MODULE"] == "renovation.settings.production"
    assert unit.environment_files == ["/etc/renovation/env"]
    command = template_command(
        unit, substitutions={"/srv/renovation": "/here"}, options={"--bind": "127.0.0.1:1", "--workers": "2"}
    )
    assert command[0] == "/here/.venv/bin/gunicorn"
    assert command[command.index("--bind") + 1] == "127.0.0.1:1"
    assert command[command.index("--workers") + 1] == "2"


def test_the_ws_unit_keeps_its_conn_max_age_wrapper():
    command = read_unit("renovation-ws.service").exec_start
    assert command[:4] == ["/usr/bin/env", "-u", "CONN_MAX_AGE_FILE", "CONN_MAX_AGE=0"]
    with pytest.raises(CheckFailed, match="has no --bind"):
        template_command(read_unit("renovation-ws.service"), substitutions={}, options={"--bind": "x"})


def test_env_example_parses_and_a_bad_line_is_refused(tmp_path):
    values = read_env_file(DEPLOY / "env.example")
    assert values["DJANGO_SETTINGS_MODULE"] == "renovation.settings.production"
    assert values["SECRET_KEY_FILE"] == "/etc/renovation/secret_key"
    bad = tmp_path / "env"
    bad.write_text("GOOD=1\nexport BAD=2\n")
    with pytest.raises(CheckFailed, match="not a NAME=value line: 'export BAD=2'"):
        read_env_file(bad)
