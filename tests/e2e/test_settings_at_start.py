"""Servers refuse to start on unsafe configuration, with a one-line reason (settings fail closed)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.tooling.model_cache import latest_model
from bot.tooling.processes import free_port
from tests.conftest import PROJECT_ROOT

BIN = Path(sys.executable).parent
PRODUCTION_SECRETS = {"PSEUDONYM_SECRET": "p" * 32, "WEBCHAT_SECRET": "w" * 32}


def _environment(**overrides: str) -> dict[str, str]:
    """This process's environment without any Brújula setting, plus `overrides`."""
    ours = {"BRUJULA_ENV", "DATABASE_URL", "PSEUDONYM_SECRET", "WEBCHAT_SECRET", "TWILIO_API_BASE_URL",
            "TELEGRAM_API_BASE_URL"}
    return {**{k: v for k, v in os.environ.items() if k not in ours}, "TF_CPP_MIN_LOG_LEVEL": "3", **overrides}


def _last_line(result: subprocess.CompletedProcess) -> str:
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.e2e
def test_action_server_with_brujula_env_unset_refuses_to_start():
    result = subprocess.run([str(BIN / "python"), "-m", "actions.server", "--port", str(free_port())],
                            cwd=PROJECT_ROOT, env=_environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert _last_line(result) == ("action server: configuration error: PSEUDONYM_SECRET must be set to a private "
                                  "value of 16+ characters (BRUJULA_ENV is production unless set to local or test)")


@pytest.mark.e2e
@pytest.mark.model
def test_rasa_server_with_an_api_override_in_production_refuses_to_start():
    result = subprocess.run([str(BIN / "rasa"), "run", "--model", str(latest_model()), "--credentials",
                             str(PROJECT_ROOT / "credentials.yml"), "--port", str(free_port())],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
                            env=_environment(BRUJULA_ENV="production", TWILIO_API_BASE_URL="http://127.0.0.1:9",
                                             **PRODUCTION_SECRETS))
    assert result.returncode == 2
    assert _last_line(result) == ("rasa server: configuration error: TWILIO_API_BASE_URL is only allowed when "
                                  "BRUJULA_ENV=test")


def test_the_cli_names_the_bad_variable_and_exits_2():
    result = subprocess.run([str(BIN / "bot"), "unanswered"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            env=_environment(BRUJULA_ENV="local", LOG_LEVEL="chatty"), timeout=60)
    assert result.returncode == 2
    assert _last_line(result).startswith("bot: configuration error: LOG_LEVEL: must be one of DEBUG")
