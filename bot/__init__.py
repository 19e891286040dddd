"""Brújula: migration information assistant (content database, settings, command-line tool)."""

__version__ = "0.1.0"
