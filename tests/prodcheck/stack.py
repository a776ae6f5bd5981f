"""The deployed stack on this machine: PostgreSQL database, Redis, nginx, two app nodes
(gunicorn + uvicorn each), the task worker, the object store. Every process is started from the
ExecStart of its unit in deploy/systemd, with the settings of deploy/env.example."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from cryptography.fernet import Fernet

from tests.prodcheck import objectstore
from tests.prodcheck.deployfiles import (
    DEPLOY,
    HOST_NAME,
    REPO,
    SERVER_CODE,
    SERVER_ETC,
    SERVER_MEDIA,
    SERVER_PRIVATE,
    SERVER_STATIC,
    SitePorts,
    Unit,
    nginx_main_conf,
    read_env_file,
    read_unit,
    template_command,
    template_nginx_site,
)
from tests.prodcheck.report import CheckFailed, Skip

PYTHON = REPO / ".venv" / "bin" / "python"
WORKER_UNIT = "renovation-worker.service"
# The secrets deploy/env.example reads from /etc/renovation (as *_FILE), made for each run.
KEY_FILES = ("secret_key", "bid_seal_keys")
SET_PASSWORDS = """
import json, os
from django.contrib.auth import get_user_model
for name, password in json.loads(os.environ["PRODCHECK_PASSWORDS"]).items():
    user = get_user_model().objects.get(username=name)
    user.set_password(password)
    user.save(update_fields=["password"])
"""


def demo_digest() -> str:
    """What the demo database depends on: migrations, the demo builder, the pinned packages, the date,
    and this file (how the template is prepared)."""
    digest = hashlib.sha256(time.strftime("%Y-%m-%d").encode())
    files = [*REPO.glob("renovation/*/migrations/*.py"), *REPO.glob("cms/migrations/*.py")]
    files += [*REPO.glob("renovation/demo/**/*.py"), *REPO.glob("cms/*.py"), *REPO.glob("requirements/*.txt")]
    files.append(Path(__file__).resolve())
    for path in sorted(files):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 40) -> None:
        """Like systemd's KillMode=mixed: SIGTERM to the main process, SIGKILL to the rest after the timeout."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # the group we created for this process only
        self.popen.wait()


@dataclass
class Node:
    name: str
    web_port: int
    ws_port: int
    processes: list[Process] = field(default_factory=list)


@dataclass
class Stack:
    tmp: Path
    admin_url: str
    redis_url: str
    database: str
    nodes: list[Node]
    http_port: int
    https_port: int
    env: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)
    bucket: str | None = None
    object_store: objectstore.ObjectStore | None = None

    # --- layout ------------------------------------------------------------------------------

    @property
    def media(self) -> Path:
        return self.tmp / "media"

    @property
    def private(self) -> Path:
        return self.tmp / "private"

    @property
    def static(self) -> Path:
        return self.tmp / "static"

    @property
    def cert(self) -> Path:
        return self.tmp / "tls" / "fullchain.pem"

    def database_url(self, name: str | None = None) -> str:
        base = self.admin_url.rsplit("/", 1)[0]
        return f"{base}/{name or self.database}"

    @classmethod
    def create(cls) -> Stack:
        tmp = Path(tempfile.mkdtemp(prefix="prodcheck-"))
        tmp.chmod(0o755)  # nginx's worker (www-data) reads static and media from here
        nodes = [Node(name, free_port(), free_port()) for name in ("A", "B")]
        stack = cls(
            tmp=tmp,
            admin_url=os.environ.get("PRODCHECK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
            redis_url=os.environ.get("PRODCHECK_REDIS_URL", "redis://127.0.0.1:6379/13"),
            database=f"prodcheck_{os.getpid()}",
            nodes=nodes,
            http_port=free_port(),
            https_port=free_port(),
        )
        for sub in ("media", "private", "page-cache", "static", "etc", "tls", "nginx", "logs", "run", "backups"):
            (tmp / sub).mkdir(mode=0o755)
        return stack

    # --- settings ----------------------------------------------------------------------------

    def build_env(self) -> None:
        """deploy/env.example with its server paths moved here and loopback services filled in."""
        etc = self.tmp / "etc"
        (etc / "secret_key").write_text(secrets.token_urlsafe(50))
        (etc / "bid_seal_keys").write_text(Fernet.generate_key().decode())
        example = read_env_file(DEPLOY / "env.example")
        moved = {
            SERVER_ETC: str(etc),
            SERVER_MEDIA: str(self.media),
            SERVER_PRIVATE: str(self.private),
            SERVER_STATIC: str(self.static),
        }
        env: dict[str, str] = {}
        for name, value in example.items():
            for old, new in moved.items():
                value = value.replace(old, new)
            env[name] = value
        for name, value in env.items():
            if name.endswith("_FILE") and not Path(value).exists():
                raise CheckFailed(f"deploy/env.example: {name}={value} names a file prod-check does not create")
        env.update(
            DATABASE_URL=self.database_url(),
            REDIS_URL=self.redis_url,
            # The failover check posts a comment every fraction of a second as one user.
            COMMENT_RATE_LIMIT_PER_MINUTE="100000",
            LOG_LEVEL="WARNING",
        )
        if self.object_store is not None:
            env.update(self.object_store.app_env())
        self.env = env

    def unit_environment(self, unit: Unit, machine: str) -> dict[str, str]:
        """The unit's Environment= with /run/ moved to this machine's own folder, where its
        RuntimeDirectory= folders are made as systemd makes them (e.g. the metrics folders)."""
        run = self.tmp / "run" / machine
        for directory in unit.runtime_directories:
            (run / directory).mkdir(parents=True, exist_ok=True)
        return {name: value.replace("/run/", f"{run}/") for name, value in unit.environment.items()}

    def process_env(self, unit_env: dict[str, str] | None = None) -> dict[str, str]:
        # systemd: Environment= first, then EnvironmentFile= (which wins), nothing from our shell.
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(self.tmp)}
        return {**base, **(unit_env or {}), **self.env}

    # --- PostgreSQL --------------------------------------------------------------------------

    def admin_sql(self, *statements: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def create_database(self, name: str) -> None:
        self.admin_sql(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
        self.databases.append(name)

    # --- processes ---------------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], env: dict[str, str]) -> Process:
        log = self.tmp / "logs" / f"{name}.log"
        handle = log.open("wb")
        popen = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def manage(self, *args: str, timeout: float = 900, extra_env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [str(PYTHON), "manage.py", *args],
            cwd=REPO,
            env={**self.process_env(), **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise CheckFailed(f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare_database(self) -> list[str]:
        """migrate and collectstatic side by side, then the demo data; known passwords for the two
        demo accounts the checks sign in as.

        Migrating and seeding the demo takes one to several minutes on a shared 2-core machine, so
        the result is kept as a PostgreSQL template database named after a digest of the
        migrations, the demo builder, the requirements and today's date (the demo is dated from
        today); a later run copies it in a second. PRODCHECK_FRESH=1 always builds anew.
        """
        template = f"prodcheck_template_{demo_digest()}"
        keys = None if os.environ.get("PRODCHECK_FRESH") == "1" else self.template_keys(template)
        if keys is None:
            self.create_database(self.database)
            collect = self.start_collectstatic()
            self.manage("migrate", "--noinput", "-v", "0")
            self.manage("seed_demo")
            self.finish_collectstatic(collect)
            # The demo queues ~1,100 jobs (stored renderings, search index, notifications; with
            # back-dated enqueue times, so ahead of anything queued later). Run them once here, as
            # the quick start does, so that the template starts with a settled queue: otherwise the
            # worker drained them during the checks of every run copied from it, and the plan
            # import the excel_import step waits for (90 s at most) queued behind them all. After
            # collectstatic: the stored renderings name hashed static files from its manifest.
            self.manage("jobs_worker", "--batch", "--no-reload", "--no-startup-delay", "-v", "0")
            failed = self.failed_jobs()
            if failed:
                raise CheckFailed(f"jobs the demo queued failed on the batch worker: {failed}")
            old = self.databases_like("prodcheck_template_%")
            # The demo's sealed bids open only with the keys they were sealed with: keep them with it.
            keys = {name: (self.tmp / "etc" / name).read_text() for name in KEY_FILES}
            self.admin_sql(
                *(f'DROP DATABASE IF EXISTS "{name}"' for name in old),
                f'CREATE DATABASE "{template}" TEMPLATE "{self.database}"',
                f"COMMENT ON DATABASE \"{template}\" IS '{json.dumps(keys)}'",
            )
            origin = f"migrated and seeded anew, kept as template {template}"
        else:
            for name, value in keys.items():
                (self.tmp / "etc" / name).write_text(value)
            self.admin_sql(
                f'DROP DATABASE IF EXISTS "{self.database}"',
                f'CREATE DATABASE "{self.database}" TEMPLATE "{template}"',
            )
            self.databases.append(self.database)
            self.finish_collectstatic(self.start_collectstatic())
            origin = f"copied from template {template} (PRODCHECK_FRESH=1 migrates and seeds anew)"
        jobs = self.job_counts()
        self.passwords = {name: secrets.token_urlsafe(24) for name in ("chen_ayi", "bureau")}
        self.manage("shell", "-c", SET_PASSWORDS, extra_env={"PRODCHECK_PASSWORDS": json.dumps(self.passwords)})
        return [
            f"database {self.database}: {origin}",
            f"the demo's jobs, run by a batch worker before the template was kept: {jobs}",
            f"static files collected into {self.static}",
        ]

    def failed_jobs(self) -> dict[str, int]:
        """Failed task rows by task path (django-tasks' database backend)."""
        with psycopg.connect(self.database_url(), autocommit=True) as connection:
            table = self._task_table(connection)
            if table is None:
                return {}
            rows = connection.execute(
                f"SELECT task_path, count(*) FROM \"{table}\" WHERE status = 'FAILED' GROUP BY 1 ORDER BY 1"
            ).fetchall()
        return dict(rows)

    @staticmethod
    def _task_table(connection: psycopg.Connection) -> str | None:
        row = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE %s", ("%dbtaskresult",)
        ).fetchone()
        return row[0] if row else None

    def job_counts(self) -> str:
        """The task rows by status (django-tasks' database backend), e.g. 'SUCCESSFUL 1102'."""
        with psycopg.connect(self.database_url(), autocommit=True) as connection:
            table = self._task_table(connection)
            if table is None:
                return "no task table"
            rows = connection.execute(f'SELECT status, count(*) FROM "{table}" GROUP BY 1 ORDER BY 1').fetchall()
        return ", ".join(f"{status} {count}" for status, count in rows) or "none queued"

    def start_collectstatic(self) -> subprocess.Popen:
        return subprocess.Popen(
            [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=REPO,
            env=self.process_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def finish_collectstatic(collect: subprocess.Popen) -> None:
        _, errors = collect.communicate(timeout=600)
        if collect.returncode != 0:
            raise CheckFailed(f"collectstatic failed: {errors[-2000:]}")

    def template_keys(self, template: str) -> dict[str, str] | None:
        """The secret key and bid seal keys the template's demo was made with; None if no template."""
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            row = connection.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (template,)
            ).fetchone()
        if not row or not row[0]:
            return None
        keys = json.loads(row[0])
        return keys if set(keys) == set(KEY_FILES) else None

    def databases_like(self, pattern: str) -> list[str]:
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,))
            return [row[0] for row in rows]

    def make_certificate(self) -> None:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", str(self.tmp / "tls" / "privkey.pem"), "-out", str(self.cert),
                "-subj", f"/CN={HOST_NAME}", "-addext", f"subjectAltName=DNS:{HOST_NAME},IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def start_nginx(self) -> list[str]:
        if shutil.which("nginx") is None:
            install_package("nginx")
        self.make_certificate()
        prefix = self.tmp / "nginx"
        ports = SitePorts(
            http=self.http_port,
            https=self.https_port,
            web=[n.web_port for n in self.nodes],
            ws=[n.ws_port for n in self.nodes],
        )
        site = prefix / "renovation.conf"
        site.write_text(
            template_nginx_site(
                ports=ports,
                cert=self.cert,
                key=self.tmp / "tls" / "privkey.pem",
                static=self.static,
                media=self.media,
                private=self.private,
                page_cache=self.tmp / "page-cache",
                nginx_dir=self.tmp / "nginx",
            )
        )
        main = prefix / "nginx.conf"
        main.write_text(nginx_main_conf(prefix=prefix, site=site))
        base = ["nginx", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(main)]
        test = subprocess.run([*base, "-t"], capture_output=True, text=True)
        if test.returncode != 0:
            raise CheckFailed(f"nginx -t refused the templated site:\n{test.stderr}")
        self.spawn("nginx", [*base, "-g", "daemon off;"], os.environ.copy())
        return [f"nginx -t: ok; https on 127.0.0.1:{self.https_port}, http on {self.http_port}"]

    def start_node(self, node: Node) -> None:
        moved = {f"{SERVER_CODE}/.venv/": f"{REPO}/.venv/", SERVER_CODE: str(REPO)}
        workers = os.environ.get("PRODCHECK_WEB_WORKERS", "2")
        web = read_unit("renovation-web.service")
        web_cmd = template_command(
            web,
            substitutions=moved,
            options={
                "--bind": f"127.0.0.1:{node.web_port}",
                "--workers": workers,
                "--control-socket": str(self.tmp / "run" / f"gunicorn-{node.name}.ctl"),
            },
        )
        node.processes.append(
            self.spawn(f"web-{node.name}", web_cmd, self.process_env(self.unit_environment(web, node.name)))
        )
        ws = read_unit("renovation-ws.service")
        ws_cmd = template_command(
            ws,
            substitutions=moved,
            options={"--port": str(node.ws_port), "--workers": os.environ.get("PRODCHECK_WS_WORKERS", "1")},
        )
        node.processes.append(
            self.spawn(f"ws-{node.name}", ws_cmd, self.process_env(self.unit_environment(ws, node.name)))
        )

    def start_worker(self) -> list[str]:
        """The task worker from deploy/systemd/renovation-worker.service (the task-queue branch adds it)."""
        if not (DEPLOY / "systemd" / WORKER_UNIT).exists():
            raise Skip(
                f"deploy/systemd/{WORKER_UNIT} does not exist: no task worker to start "
                "(the task-queue branch adds it; nothing to change here once it is merged)"
            )
        unit = read_unit(WORKER_UNIT)
        moved = {f"{SERVER_CODE}/.venv/": f"{REPO}/.venv/", SERVER_CODE: str(REPO)}
        command = template_command(unit, substitutions=moved, options={})
        process = self.spawn("worker", command, self.process_env(self.unit_environment(unit, "worker")))
        time.sleep(3)
        if process.popen.poll() is not None:
            raise CheckFailed(f"the worker exited at start ({process.popen.returncode}):\n{process.tail()}")
        return [" ".join(command)]

    def wait_healthy(self, timeout: float = 120) -> list[str]:
        deadline = time.monotonic() + timeout
        pending = {(n.name, kind, port) for n in self.nodes for kind, port in (("web", n.web_port), ("ws", n.ws_port))}
        while pending and time.monotonic() < deadline:
            for item in sorted(pending):
                try:
                    answer = requests.get(f"http://127.0.0.1:{item[2]}/healthz", headers={"Host": HOST_NAME}, timeout=2)
                except requests.RequestException:
                    continue
                if answer.status_code == 200:
                    pending.discard(item)
            for process in self.processes:
                if process.popen.poll() is not None:
                    raise CheckFailed(f"{process.name} exited ({process.popen.returncode}):\n{process.tail()}")
            time.sleep(0.5)
        if pending:
            raise CheckFailed(f"not healthy after {timeout:.0f} s: {sorted(pending)}")
        return [f"node {n.name}: gunicorn 127.0.0.1:{n.web_port}, uvicorn 127.0.0.1:{n.ws_port}" for n in self.nodes]

    def stop_node(self, node: Node) -> None:
        for process in node.processes:
            process.popen.send_signal(signal.SIGTERM)
        for process in node.processes:
            process.stop(timeout=40)

    def close(self, keep: bool = False) -> None:
        for process in reversed(self.processes):
            process.stop(timeout=10)
        if self.object_store is not None:
            self.object_store.stop()
        for name in self.databases:
            try:
                self.admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.Error as error:
                print(f"could not drop {name}: {error}")
        if keep:
            print(f"kept {self.tmp} (logs, nginx config)")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def install_package(name: str) -> None:
    """A Debian package (nginx; rclone for a bucket's backup), as .ci/run installs chromium; only root can."""
    if os.geteuid() != 0:
        raise CheckFailed(f"{name} is not installed and prod-check is not root: apt-get install -y {name}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", name]):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise CheckFailed(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
