"""`bot`, the command-line tool (see bot/cli/main.py)."""
from bot.cli.main import db_upgrade, main

__all__ = ["db_upgrade", "main"]
