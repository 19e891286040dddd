"""The production topology as local processes (`make cluster`, the load benchmark and the fault tests):

    nginx :8080 ─┬─ /webhooks/ ─> Rasa server A ─┐            PostgreSQL: content DB + SQL tracker store
                 │              > Rasa server B ─┼─ actions   Redis: Rasa's lock store
                 └─ /         ─> staff console ──┘

The same shape as docker-compose.yml; nginx's routes are deploy/nginx/locations.conf in both. Every process is
started, health-checked and stopped cleanly (nginx last in, first out). PostgreSQL and Redis are the machine's
own servers; the cluster gets its own databases (created when missing) and Redis database number.

    with Cluster(ClusterConfig(workdir=Path("var/cluster"))) as cluster:
        cluster.url          # http://127.0.0.1:8080
        cluster.kill("rasa-a")  # fault tests
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from bot.settings import PROJECT_ROOT
from bot.tooling.processes import (
    BIN,
    free_port,
    start_action_server,
    start_console,
    start_rasa_server,
    stop,
    wait_for_http,
)

NGINX_LOCATIONS = PROJECT_ROOT / "deploy" / "nginx" / "locations.conf"
PRODUCTION_ENDPOINTS = PROJECT_ROOT / "endpoints.production.yml"
SECRET_NAMES = ("PSEUDONYM_SECRET", "WEBCHAT_SECRET", "CONSOLE_SECRET_KEY")


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("nginx is not installed (`make nginx-tool` installs Debian's package)")
    return found


@dataclass
class ClusterConfig:
    workdir: Path
    port: int = 8080
    rasa_servers: int = 2
    # Sanic workers per Rasa server (SANIC_WORKERS; possible because the lock store is Redis, not in-memory).
    sanic_workers: int = 1
    # One action server worker: on 2 cores, two workers gave no more throughput for twice the memory
    # (docs/performance.md); with more cores, try ACTION_SERVER_SANIC_WORKERS / --action-workers.
    action_workers: int = 1
    # The PostgreSQL server (no database in the URL) and the databases the cluster uses on it.
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432"
    content_db: str = "brujula_cluster"
    tracker_db: str = "brujula_cluster_tracker"
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 5
    # Extra environment for every process (the tests set BRUJULA_ENV=test and fake platform APIs here).
    env: dict = field(default_factory=dict)
    model: Optional[Path] = None
    console: bool = True


def persistent_secrets(path: Path) -> dict[str, str]:
    """Random secrets kept in a private file, so pseudonyms, web chat tokens and console sessions survive a
    restart of the local cluster. Values from the environment win."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, value = line.partition("=")
            if name in SECRET_NAMES and value:
                values[name] = value
    missing = [name for name in SECRET_NAMES if name not in values]
    if missing:
        values.update({name: secrets.token_urlsafe(32) for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{name}={values[name]}\n" for name in SECRET_NAMES))
        path.chmod(0o600)
    return {**values, **{name: os.environ[name] for name in SECRET_NAMES if os.environ.get(name)}}


def render_nginx_conf(workdir: Path, port: int, rasa_ports: list[int], console_port: Optional[int]) -> Path:
    """nginx's configuration for local processes: the upstreams here, the routes shared with compose."""
    temp = workdir / "nginx-temp"
    temp.mkdir(parents=True, exist_ok=True)
    rasa_servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in rasa_ports)
    console_server = (f"server 127.0.0.1:{console_port} max_fails=1 fail_timeout=10s;" if console_port
                      else "server 127.0.0.1:9 down;")  # no console: its routes answer 502
    # Running as root, nginx would hand its workers to `nobody`; the local cluster keeps its own user.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = f"""{user}worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/logs/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    default_type application/octet-stream;
    upstream rasa {{
{rasa_servers}
        keepalive 64;
    }}
    upstream console {{
        {console_server}
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_tokens off;
        include {NGINX_LOCATIONS};
    }}
}}
"""
    path = workdir / "nginx.conf"
    path.write_text(conf)
    return path


class Cluster:
    """Start with `start()` (or `with`), stop with `stop()`. Processes are named actions, rasa-a, rasa-b...,
    console and nginx; their logs are in workdir/logs."""

    def __init__(self, config: ClusterConfig):
        self.config = config
        self.workdir = config.workdir.resolve()
        self.processes: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}
        self._logs: list = []
        self.env: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.config.port}"

    @property
    def rasa_names(self) -> list[str]:
        return [f"rasa-{chr(ord('a') + i)}" for i in range(self.config.rasa_servers)]

    def _database_url(self, name: str) -> str:
        return f"{self.config.postgres_url}/{name}"

    def prepare_databases(self) -> None:
        import psycopg2

        admin = psycopg2.connect(self._database_url("postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            for name in (self.config.content_db, self.config.tracker_db):
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        env = {**self.env, "DATABASE_URL": self._database_url(self.config.content_db)}
        for command in (["db", "upgrade"], ["content", "load"]):
            subprocess.run([str(BIN / "bot"), *command], cwd=PROJECT_ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)

    def _environment(self, action_port: int) -> dict[str, str]:
        postgres = urlsplit(self.config.postgres_url)
        env = {
            **os.environ,
            "BRUJULA_ENV": "production",
            **persistent_secrets(self.workdir / "secrets.env"),
            "DATABASE_URL": self._database_url(self.config.content_db),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "TRACKER_DB_HOST": postgres.hostname or "127.0.0.1",
            "TRACKER_DB_PORT": str(postgres.port or 5432),
            "TRACKER_DB_NAME": self.config.tracker_db,
            "TRACKER_DB_USER": postgres.username or "postgres",
            "TRACKER_DB_PASSWORD": postgres.password or "",
            "REDIS_HOST": self.config.redis_host,
            "REDIS_PORT": str(self.config.redis_port),
            "REDIS_DB": str(self.config.redis_db),
            "PUBLIC_BASE_URL": self.url,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
        env.update({k: str(v) for k, v in self.config.env.items()})
        return env

    def _log(self, name: str):
        handle = open(self.workdir / "logs" / f"{name}.log", "a")
        self._logs.append(handle)
        return handle

    def start(self) -> "Cluster":
        from bot.tooling.model_cache import latest_model

        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        model = self.config.model or latest_model()
        self.ports["actions"] = free_port()
        self.env = self._environment(self.ports["actions"])
        try:
            self.prepare_databases()
            self.start_process("actions")
            for name in self.rasa_names:
                self.ports[name] = free_port()
            if self.config.console:
                self.ports["console"] = free_port()
                self.start_process("console")
            for name in self.rasa_names:
                self.start_process(name, model)
            render_nginx_conf(self.workdir, self.config.port, [self.ports[n] for n in self.rasa_names],
                              self.ports.get("console"))
            self.start_process("nginx")
            for name in self.rasa_names:
                self.wait_healthy(name, 300)
            self.wait_healthy("actions", 120)
            if self.config.console:
                self.wait_healthy("console", 60)
            self.wait_healthy("nginx", 30)
        except BaseException:
            self.stop()
            raise
        return self

    def start_process(self, name: str, model: Optional[Path] = None) -> subprocess.Popen:
        """(Re)start one process on its port (the fault tests restart the action server this way)."""
        log = self._log(name)
        port = self.ports.get(name)
        if name == "actions":
            env = {**self.env, "ACTION_SERVER_SANIC_WORKERS": str(self.config.action_workers)}
            process = start_action_server(port, env, log)
        elif name == "console":
            process = start_console(port, {**self.env, "CONSOLE_HOST": "127.0.0.1"}, log)
        elif name == "nginx":
            process = subprocess.Popen(
                [nginx_binary(), "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"),
                 "-e", str(self.workdir / "logs" / "nginx-error.log"), "-g", "daemon off;"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        else:
            from bot.tooling.model_cache import latest_model

            env = {**self.env, "SANIC_WORKERS": str(self.config.sanic_workers)}
            process = start_rasa_server(port, model or self.config.model or latest_model(), PRODUCTION_ENDPOINTS,
                                        env, log)
        self.processes[name] = process
        return process

    def health_url(self, name: str) -> str:
        if name == "nginx":
            return f"{self.url}/nginx-health"
        if name == "actions":
            return f"http://127.0.0.1:{self.ports[name]}/health"
        if name == "console":
            return f"http://127.0.0.1:{self.ports[name]}/login"
        return f"http://127.0.0.1:{self.ports[name]}/webhooks/webchat/"

    def wait_healthy(self, name: str, timeout: float) -> None:
        wait_for_http(self.health_url(name), timeout, self.processes[name])

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """A crash, not a shutdown: the process group gets SIGKILL and nothing is cleaned up."""
        process = self.processes[name]
        os.killpg(process.pid, sig)
        process.wait()

    def restart(self, name: str, timeout: float = 300) -> None:
        if self.processes[name].poll() is None:
            stop(self.processes[name])
        self.start_process(name)
        self.wait_healthy(name, timeout)

    def rss_mb(self) -> dict[str, float]:
        """Resident memory per process (with its workers: the whole process group)."""
        return {name: _group_rss_mb(process.pid) for name, process in self.processes.items()
                if process.poll() is None}

    def stop(self) -> None:
        for name in ["nginx", *reversed(self.rasa_names), "console", "actions"]:
            process = self.processes.get(name)
            if process is not None:
                stop(process, timeout=20)
        for handle in self._logs:
            handle.close()
        self._logs.clear()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def _group_rss_mb(pgid: int) -> float:
    total_kb = 0
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 of stat (after pid and comm): the process group
                continue
            for line in (status.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total_kb / 1024


def run_until_interrupted(config: ClusterConfig) -> int:
    """`bot cluster`: start everything, print where it is, stop cleanly on Ctrl+C or SIGTERM."""
    import time

    cluster = Cluster(config)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        print(f"Starting the cluster in {cluster.workdir} (logs in {cluster.workdir / 'logs'})...", flush=True)
        cluster.start()
        servers = ", ".join(f"{n} :{cluster.ports[n]}" for n in cluster.rasa_names)
        print(f"\nBrújula cluster is running behind nginx at {cluster.url}\n"
              f"  Web chat:      {cluster.url}/webhooks/webchat/chat\n"
              f"  Staff console: {cluster.url}/\n"
              f"  Rasa servers:  {servers} (SQL tracker store {config.tracker_db}, Redis lock store db "
              f"{config.redis_db})\n"
              f"  Action server: :{cluster.ports['actions']} ({config.action_workers} workers)\n"
              "Press Ctrl+C to stop.\n", flush=True)
        # Like a container's restart policy: a process that dies is started again, unless it keeps dying.
        restarts: dict[str, list[float]] = {}
        while True:
            time.sleep(1)
            for name, process in list(cluster.processes.items()):
                if process.poll() is None:
                    continue
                recent = [t for t in restarts.get(name, []) if t > time.monotonic() - 60] + [time.monotonic()]
                restarts[name] = recent
                if len(recent) > 3:
                    print(f"{name} keeps exiting (code {process.returncode}); stopping the cluster "
                          f"(see {cluster.workdir / 'logs' / (name + '.log')})", file=sys.stderr)
                    return 1
                print(f"{name} exited (code {process.returncode}); starting it again", file=sys.stderr, flush=True)
                cluster.restart(name)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()
        print("Cluster stopped.", flush=True)
