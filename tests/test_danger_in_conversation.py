"""The trained model: ordinary conversation (introductions, waiting for a caseworker) is not an emergency, and
real danger still is. While a conversation waits for a caseworker, a false alarm would send the person the whole
emergency answer for writing "sigo esperando"."""
from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import load_agent

    from bot.tooling.model_cache import latest_model

    agent = asyncio.run(load_agent(model_path=str(latest_model())))
    return lambda text: asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize("text", [
    "sigo esperando su respuesta",
    "Me llamo Xiomara",
    "Me llamo Marta López y sigo esperando",
    "sigo aquí, gracias",
    "ok, aquí espero que me contesten",
    "my name is Rosa and I am still waiting",
])
def test_ordinary_conversation_is_not_danger(parse, text):
    parsed = parse(text)
    assert parsed.get("danger") is None, parsed.get("danger")


@pytest.mark.parametrize("text, kind", [
    ("me quieren matar", "emergency"),
    ("estoy encerrada y no me dejan salir", "emergency"),
    ("ya no quiero vivir", "crisis"),
])
def test_danger_is_still_danger(parse, text, kind):
    assert parse(text)["danger"]["kind"] == kind
