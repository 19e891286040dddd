"""Starting the action server and the Rasa server as child processes (used by `bot serve`, `bot eval`,
the end-to-end tests and the benchmark), and waiting until they answer."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from bot.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float, process: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


def _env(env: Optional[dict]) -> dict:
    # Unbuffered, so a log file shows everything up to now (tests read them while the server runs).
    return {**(env or os.environ), "PYTHONUNBUFFERED": "1"}


def start_action_server(port: int, env: Optional[dict] = None, log=None) -> subprocess.Popen:
    """rasa_sdk's action server with /ready and /metrics (actions/server.py)."""
    return subprocess.Popen(
        [str(BIN / "python"), "-m", "actions.server", "--port", str(port)],
        cwd=PROJECT_ROOT, env=_env(env), stdout=log, stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )


def start_rasa_server(
    port: int, model: Path, endpoints: Path, env: Optional[dict] = None, log=None
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", str(PROJECT_ROOT / "credentials.yml"), "--port", str(port),
            "--interface", "127.0.0.1",  # local runs and tests only; docker-compose.yml runs its own command
        ],
        cwd=PROJECT_ROOT, env=_env(env), stdout=log, stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )


def start_console(port: int, env: Optional[dict] = None, log=None) -> subprocess.Popen:
    """The staff console (`python -m console`), a separate process on the same database."""
    return subprocess.Popen(
        [str(BIN / "python"), "-m", "console"],
        cwd=PROJECT_ROOT, env={**_env(env), "CONSOLE_PORT": str(port)}, stdout=log,
        stderr=subprocess.STDOUT if log else None, start_new_session=True,
    )


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def write_endpoints(path: Path, action_port: int) -> Path:
    path.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    return path


@contextmanager
def action_server(port: Optional[int] = None, env: Optional[dict] = None, log=None) -> Iterator[str]:
    """An action server for the duration of the block; yields its webhook URL."""
    port = port or free_port()
    process = start_action_server(port, env, log)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", 90, process)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        stop(process)
