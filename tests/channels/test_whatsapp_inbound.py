"""WhatsApp's checks of Twilio's form fields, without servers (tests/channels/test_fuzz.py runs them against the
real server, with signed forms)."""
from __future__ import annotations

import logging

import pytest

from channels.whatsapp.channel import media_count, message_problem, status_problem

SID = "SM" + "0123456789abcdef" * 2
NUMBER = "whatsapp:+50255512345"


def test_a_message_with_twilios_id_and_a_whatsapp_number_is_processed():
    assert message_problem({"MessageSid": SID, "From": NUMBER}) is None
    assert message_problem({"SmsMessageSid": SID, "From": NUMBER}) is None


@pytest.mark.parametrize("fields, reason", [
    ({"From": NUMBER}, "a MessageSid is required"),
    ({"MessageSid": "S", "From": NUMBER}, "a MessageSid is required"),
    ({"MessageSid": "SM-1", "From": NUMBER}, "a MessageSid is required"),
    ({"MessageSid": "SMñ1", "From": NUMBER}, "a MessageSid is required"),
    ({"MessageSid": SID + "\x00", "From": NUMBER}, "a MessageSid is required"),
    ({"MessageSid": "SM" + "0" * 100, "From": NUMBER}, "a MessageSid is required"),
    ({"MessageSid": SID}, "a whatsapp:+ sender number is required"),
    ({"MessageSid": SID, "From": "whatsapp:+"}, "a whatsapp:+ sender number is required"),
    ({"MessageSid": SID, "From": "whatsapp:+50255\x00512345"}, "a whatsapp:+ sender number is required"),
    ({"MessageSid": SID, "From": "whatsapp:+١٢٣٤٥٦٧٨"}, "a whatsapp:+ sender number is required"),
    ({"MessageSid": SID, "From": NUMBER + "\u200f"}, "a whatsapp:+ sender number is required"),
    ({"MessageSid": SID, "From": "whatsapp:+" + "9" * 40}, "a whatsapp:+ sender number is required"),
    ({"MessageSid": SID, "From": "tel:+50255512345"}, "a whatsapp:+ sender number is required"),
])
def test_a_message_without_them_is_refused_with_the_reason(fields, reason):
    assert message_problem(fields) == reason


@pytest.mark.parametrize("fields, reason", [
    ({"MessageSid": SID, "MessageStatus": "delivered"}, None),
    ({"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "63016"}, None),
    ({"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": ""}, None),
    ({"MessageSid": "x" * 200, "MessageStatus": "failed"}, "a MessageSid is required"),
    ({"MessageSid": SID, "MessageStatus": ""}, "a MessageStatus is required"),
    ({"MessageSid": SID, "MessageStatus": "délivré"}, "a MessageStatus is required"),
    ({"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "6301" * 10}, "ErrorCode must be a number"),
    ({"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "\ud800"}, "ErrorCode must be a number"),
])
def test_status_callbacks_are_checked(fields, reason):
    assert status_problem(fields) == reason


@pytest.mark.parametrize("value, count", [("0", 0), ("3", 3), (None, 0), ("", 0)])
def test_a_media_count_is_read(value, count, caplog):
    assert media_count({} if value is None else {"NumMedia": value}) == count
    assert not caplog.records


@pytest.mark.parametrize("value", ["-1", "1_0", "١", " 1 ", "1.0", "99999999999999999999", "uno"])
def test_a_media_count_that_is_not_one_is_ignored_with_a_log_line(value, caplog):
    with caplog.at_level(logging.WARNING):
        assert media_count({"NumMedia": value}) == 0
    assert [r.getMessage() for r in caplog.records] == ["ignored a NumMedia that is not a count"]
