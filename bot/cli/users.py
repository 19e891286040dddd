"""`bot users`: console accounts from the command line (the first admin is created this way).

    bot users create NAME --role admin          asks for the password twice (or reads it from --password-stdin)
    bot users list
    bot users set-password NAME                 a new password; ends the user's sessions
    bot users deactivate NAME
"""
from __future__ import annotations

import argparse
import getpass
import sys

from bot.staff.models import ROLES

CLI_ACTOR = "cli"


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_users(args) -> int:
    from bot.staff.users import UserError, UserRepository

    users = UserRepository()
    try:
        if args.action == "list":
            for user in users.list():
                state = "active" if user.active else "inactive"
                last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
                print(f"{user.username:24} {user.role:9} {state:8} last login {last}")
            return 0
        if not args.username:
            print(f"usage: bot users {args.action} NAME", file=sys.stderr)
            return 2
        if args.action == "create":
            if not args.role:
                print("bot users create: --role is required (" + ", ".join(ROLES) + ")", file=sys.stderr)
                return 2
            user = users.create(args.username, _password(args), args.role, actor=CLI_ACTOR)
            print(f"created {user.username} ({user.role})")
            return 0
        user = users.by_username(args.username)
        if user is None:
            print(f"error: no user {args.username!r}", file=sys.stderr)
            return 1
        if args.action == "set-password":
            users.update(user.id, actor=CLI_ACTOR, password=_password(args))
            print(f"password changed for {user.username}; their sessions were ended")
        elif args.action == "deactivate":
            users.update(user.id, actor=CLI_ACTOR, active=False)
            print(f"deactivated {user.username}")
        return 0
    except (UserError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="staff console accounts")
    users.add_argument("action", choices=["create", "list", "set-password", "deactivate"])
    users.add_argument("username", nargs="?")
    users.add_argument("--role", choices=ROLES, help="with create: editor, reviewer or admin")
    users.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    users.set_defaults(func=cmd_users)
