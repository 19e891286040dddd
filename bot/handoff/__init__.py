"""Caseworker handoff: cases opened when a person accepts the offer of a person, their transcripts, and the
rule that the bot stays silent for someone whose case is open (except for emergencies)."""
