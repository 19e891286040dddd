"""WhatsApp through Twilio."""
from channels.whatsapp.channel import (
    CHANNEL,
    TwilioSender,
    WhatsAppInput,
    form_dict,
    inbound_text,
    media_kind,
    outgoing_parts,
    signature_valid,
    twiml_response,
)

__all__ = ["CHANNEL", "TwilioSender", "WhatsAppInput", "form_dict", "inbound_text", "media_kind",
           "outgoing_parts", "signature_valid", "twiml_response"]
