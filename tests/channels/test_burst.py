"""A burst of conversations, end to end (real Rasa and action servers, fake platform APIs): 100 people write within
seconds, 4 webhooks at a time, and every reply arrives, whether the platform's API closes the connection after
every answer (as Python's http.server does) or keeps it open; and the next person is still answered at once.

Found before: against a peer that closes every connection, PTB's default request (one pooled connection, 1 s pool
timeout) let waiting sends time out inside httpx's pool, which leaves a half-made connection holding the pool's
only slot: every later send failed with TimedOut until the server restarted."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.channels.servers import both_channel_stacks

pytestmark = [pytest.mark.e2e, pytest.mark.model]

PEOPLE, AT_A_TIME = 100, 4
MODES = {"closes every connection": False, "keeps connections alive": True}


@pytest.fixture(scope="module")
def stacks(tmp_path_factory, loaded_sqlite_template):
    """One Rasa server with both channels, each against its fake API."""
    with both_channel_stacks(tmp_path_factory.mktemp("burst"), loaded_sqlite_template) as pair:
        yield pair


@pytest.fixture(autouse=True)
def _healthy_apis(stacks):
    for stack in stacks:
        stack.fake.reset()
    yield
    for stack in stacks:
        stack.fake.reset()


def burst(write, people: list) -> None:
    """Each person writes once, AT_A_TIME webhooks in flight, as a platform delivers a rush of messages."""
    with ThreadPoolExecutor(AT_A_TIME) as pool:
        list(pool.map(write, people))


def seconds_to_first_reply(write, wait) -> float:
    started = time.monotonic()
    write()
    wait()
    return time.monotonic() - started


@pytest.mark.parametrize("keep_alive", MODES.values(), ids=MODES.keys())
def test_telegram_answers_everyone_in_a_burst_and_the_next_person_at_once(stacks, keep_alive):
    _, stack = stacks
    stack.fake.keep_alive = keep_alive
    users = [stack.user() for _ in range(PEOPLE)]
    burst(lambda user: stack.send(user, "/start"), users)
    for user in users:  # the greeting and the menu
        greeting, menu = stack.fake.wait_for(user["id"], 2, timeout=60)[:2]
        assert "Privacidad" in greeting["text"] and menu["reply_markup"]["inline_keyboard"]
    newcomer = stack.user()
    assert seconds_to_first_reply(lambda: stack.send(newcomer, "/start"),
                                  lambda: stack.fake.wait_for(newcomer["id"], 1, timeout=10)) < 2


@pytest.mark.parametrize("keep_alive", MODES.values(), ids=MODES.keys())
def test_whatsapp_answers_everyone_in_a_burst_and_the_next_person_at_once(stacks, keep_alive):
    stack, _ = stacks
    stack.fake.keep_alive = keep_alive
    numbers = [stack.number() for _ in range(PEOPLE)]
    burst(lambda number: stack.message(number, "hola"), numbers)
    for number in numbers:
        greeting, menu = stack.fake.wait_for(number, 2, timeout=60)[:2]
        assert "Privacidad" in greeting["Body"] and "1. Trabajar o migrar de forma legal" in menu["Body"]
    newcomer = stack.number()
    assert seconds_to_first_reply(lambda: stack.message(newcomer, "hola"),
                                  lambda: stack.fake.wait_for(newcomer, 1, timeout=10)) < 2
