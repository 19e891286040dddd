"""The docker-compose topology without Docker: one action server and two Rasa servers sharing conversations
through a PostgreSQL tracker store and a Redis lock store (endpoints.production.yml), in production mode."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.request

import pytest
import yaml

from bot.tooling.model_cache import latest_model
from bot.tooling.processes import free_port, start_action_server, start_rasa_server, stop, wait_for_http
from tests.conftest import PROJECT_ROOT, load_content, postgres_databases, postgres_url_of

pytestmark = [pytest.mark.e2e, pytest.mark.model, pytest.mark.postgres]


def post(url: str, body: dict):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, content_pack):
    with postgres_databases("brujula_content", "brujula_tracker") as (content_db, tracker_db):
        load_content(postgres_url_of(content_db), content_pack)
        yield from _servers(tmp_path_factory.mktemp("prod"), content_db, tracker_db)


def _servers(tmp, content_db: str, tracker_db: str):
    action_port = free_port()
    env = {
        **os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "BRUJULA_ENV": "production",
        "PSEUDONYM_SECRET": "test-pseudonym-secret-0123456789", "WEBCHAT_SECRET": "test-webchat-secret-0123456789",
        "DATABASE_URL": postgres_url_of(content_db),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_DB_HOST": "127.0.0.1", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": tracker_db,
        "TRACKER_DB_USER": "postgres", "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "3",
    }
    logs = [open(tmp / f"{name}.log", "w") for name in ("actions", "rasa-a", "rasa-b")]
    processes = [start_action_server(action_port, env, logs[0])]
    try:
        wait_for_http(f"http://127.0.0.1:{action_port}/health", 90, processes[0])
        ports = [free_port(), free_port()]
        for port, log in zip(ports, logs[1:], strict=True):
            processes.append(start_rasa_server(port, latest_model(), PROJECT_ROOT / "endpoints.production.yml",
                                               env, log))
        for port, process in zip(ports, processes[1:], strict=True):
            wait_for_http(f"http://127.0.0.1:{port}/webhooks/webchat/", 300, process)
        yield [f"http://127.0.0.1:{port}/webhooks/webchat" for port in ports], tracker_db
    finally:
        for process in reversed(processes):
            stop(process)
        for log in logs:
            log.close()


def test_a_conversation_continues_on_whichever_server_gets_the_next_message(two_servers):
    (server_a, server_b), tracker_db = two_servers
    session = post(f"{server_a}/session", {})
    greeting = post(f"{server_a}/webhook", {**session, "message": "hola"})
    assert greeting[-1]["buttons"][2]["title"] == "Regreso a Guatemala y apoyo"
    # "3" only means "return and reintegration" if server B sees the menu server A sent.
    submenu = post(f"{server_b}/webhook", {**session, "message": "3"})
    assert any(b["payload"] == "/reintegration.arrival" for b in submenu[-1]["buttons"])

    import psycopg2

    connection = psycopg2.connect(postgres_url_of(tracker_db))
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events WHERE sender_id = %s", (session["sender"],))
        assert cursor.fetchone()[0] > 5
    connection.close()


def _compose_command() -> list[str]:
    import shutil

    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor `docker-compose` is installed (make compose-tool installs it)")


@pytest.mark.parametrize("secrets_set", [True, False])
def test_compose_config_is_valid_and_refuses_missing_secrets(secrets_set):
    env = {k: v for k, v in os.environ.items()
           if k not in ("POSTGRES_PASSWORD", "PSEUDONYM_SECRET", "WEBCHAT_SECRET", "CONSOLE_SECRET_KEY")}
    if secrets_set:
        env.update(POSTGRES_PASSWORD="check", PSEUDONYM_SECRET="s" * 20, WEBCHAT_SECRET="w" * 20,
                   CONSOLE_SECRET_KEY="c" * 20)
    result = subprocess.run([*_compose_command(), "-f", "docker-compose.yml", "config", "-q"], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert (result.returncode == 0) == secrets_set, result.stderr


def test_compose_file_describes_the_same_topology():
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "actions", "rasa", "migrate", "console", "nginx"} <= set(services)
    # nginx is the only way in; every long-running service says when it is healthy.
    assert [name for name, service in services.items() if service.get("ports")] == ["nginx"]
    assert {name for name, service in services.items() if "healthcheck" not in service} == {"migrate"}
    mounted = " ".join(services["nginx"]["volumes"])
    assert "deploy/nginx/locations.conf" in mounted and "deploy/nginx/compose.conf" in mounted
    assert services["console"]["command"] == ["python", "-m", "console"]
    assert services["rasa"]["deploy"]["replicas"] >= 2
    assert "endpoints.production.yml" in " ".join(services["rasa"]["command"])
    endpoints = (PROJECT_ROOT / "endpoints.production.yml").read_text()
    for variable in ("TRACKER_DB_NAME", "REDIS_HOST", "ACTION_ENDPOINT_URL"):
        assert f"${{{variable}}}" in endpoints
        assert variable in services["rasa"]["environment"]
        assert variable in (PROJECT_ROOT / ".env.example").read_text()
