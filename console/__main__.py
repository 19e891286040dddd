"""`python -m console`: serve the staff console with waitress (what `make run` starts beside the bot)."""
from __future__ import annotations

import sys

from bot.observability.logs import configure_logging
from bot.settings import SettingsError, validate_at_start


def main() -> int:
    settings = validate_at_start("console")
    configure_logging("console", settings)
    from waitress import serve

    from console import create_app

    try:
        app = create_app()
    except SettingsError as error:
        print(f"console: configuration error: {error}", file=sys.stderr, flush=True)
        return 2
    from console import background

    background.start(settings.database_url)  # handoff timer: holding messages, staff alerts
    serve(app, host=settings.console_host, port=settings.console_port, threads=8, ident="brujula-console")
    return 0


if __name__ == "__main__":
    sys.exit(main())
