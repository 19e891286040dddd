"""The whole local service for browser tests of the console: action server, Rasa server (web chat) and the
console process, on one private copy of the loaded content database, with one staff user of each role.

    def test_x(console_stack, chromium):
        staff = console_page(chromium, console_stack, "rosa")        # a logged-in console page
        chat = chat_page(chromium, console_stack)                     # the web chat, greeted
        replies = ask(chat, "¿qué es la visa h2a?")                   # the bot's answer, as text

Started once per test session (Rasa takes a while to load); tests that change content use topics no other
browser test asserts on.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.tooling.processes import free_port, stop, wait_for_http
from tests.channels.servers import Servers, start_servers

PASSWORD = "correct horse battery staple"
STAFF = (("eva", "editor"), ("eli", "editor"), ("rosa", "reviewer"), ("ada", "admin"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15000


@dataclass
class ConsoleStack:
    servers: Servers
    console_url: str
    console: subprocess.Popen
    console_log: Path

    @property
    def chat_url(self) -> str:
        return f"{self.servers.base}/webhooks/webchat/chat"

    @property
    def database_url(self) -> str:
        return self.servers.database_url

    def stop(self) -> None:
        stop(self.console)
        self.servers.stop_all()


def start_console_stack(tmp: Path, content_template: Path) -> ConsoleStack:
    from bot.staff.users import UserRepository

    servers = start_servers(tmp, content_template, {}, "/webhooks/webchat/")
    try:
        users = UserRepository(servers.database_url)
        for username, role in STAFF:
            users.create(username, PASSWORD, role, actor="test")
        port = free_port()
        log = tmp / "console.log"
        env = {**servers.env, "CONSOLE_PORT": str(port), "CONSOLE_HOST": "127.0.0.1"}
        console = subprocess.Popen([sys.executable, "-m", "console"], env=env, stdout=open(log, "w"),
                                   stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
                                   start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/login", 60, console)
    except Exception:
        servers.stop_all()
        raise
    return ConsoleStack(servers, url, console, log)


def console_page(chromium, stack: ConsoleStack, username: str, language: str = "es"):
    """A new browser context logged in to the console as `username`."""
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, locale=language)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{stack.console_url}/login")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def chat_page(chromium, stack: ConsoleStack):
    """A new web chat conversation, after the greeting arrived."""
    context = chromium.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(stack.chat_url)
    page.locator(".msg.bot").first.wait_for()
    return page


def ask(page, text: str) -> str:
    """Type a message in the web chat and return the text of the bot's replies to it."""
    before = page.locator(".msg").count()
    page.get_by_label("Mensaje").fill(text)
    page.keyboard.press("Enter")
    # The user's own bubble, then at least one bot bubble after it.
    page.wait_for_function(
        "([n]) => { const all = document.querySelectorAll('.msg'); "
        "return all.length > n + 1 && all[all.length - 1].classList.contains('bot'); }",
        arg=[before], timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)  # a turn's messages arrive in one response; let the page render them all
    texts = page.locator(".msg").all_inner_texts()[before + 1:]
    return "\n".join(texts)


def launch_chromium(playwright):
    from bot.settings import get_settings

    return playwright.chromium.launch(executable_path=get_settings().chromium_path, args=CHROMIUM_ARGS)


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
