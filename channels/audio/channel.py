"""Audio files of answers, served by the Rasa server through a small channel blueprint:

    GET /webhooks/audio/<key>?exp=<unix time>&sig=<signature>   the OGG/Opus file (audio/ogg)

Links are signed and expire (bot/audio/signing.py): Twilio fetches WhatsApp media from such a link, and the web
chat plays from one. An expired or forged link gets 403, a key we do not have 404; nothing lists the files.
"""
from __future__ import annotations

import asyncio
from typing import Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.audio.signing import link_valid
from bot.audio.storage import default_store, valid_key
from channels.base import BrujulaChannel, OnNewMessage


class AudioInput(BrujulaChannel):
    @classmethod
    def name(cls) -> Text:
        return "audio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        audio = Blueprint("audio_webhook", __name__)

        @audio.route("/<key>", methods=["GET"])
        async def serve(request: Request, key: str) -> HTTPResponse:
            if not valid_key(key) or not link_valid(key, request.args.get("exp"), request.args.get("sig")):
                return response.json({"error": "link expired or not valid"}, status=403)
            data = await asyncio.to_thread(default_store().get, key)
            if data is None:
                return response.json({"error": "no such audio"}, status=404)
            # Private: a shared cache must not keep it past the link's expiry.
            return response.raw(data, content_type="audio/ogg", headers={"Cache-Control": "private, max-age=300"})

        return audio
