"""The staff console (a separate web app on the `bot` core): built in a later issue.

It depends on `bot` only, never on `actions` or `channels` (see the layer contract in pyproject.toml).
"""
