"""`bot`: Brújula's command-line tool.

    bot db upgrade                      create or migrate the content database
    bot content check | load [--force]  check the pack (problems, blockers, stale sources) / load it
    bot content export DIR | import DIR the database's live content as a pack (for git) / load one back
    bot examples add TOPIC[/ENTRY] "question"   a phrasing, used by the next message (no retraining)
    bot examples export [--out FILE]    the phrasings as Rasa NLU YAML for the next training run
    bot answer show TOPIC [--lang es]   the live answer and its versions
    bot answer edit TOPIC LANG --body-file F [--publish]
    bot answer rollback TOPIC LANG VERSION
    bot answer publish TOPIC LANG VERSION [--by NAME]   publish a saved version (audited)
    bot unanswered [--limit N]          questions the assistant could not answer
    bot audio synthesize [--topic T] [--lang es]   synthetic audio for answers without a recording
    bot outbox [--channel C]            WhatsApp/Telegram replies waiting, and those that failed with why
    bot telegram set-webhook | poll     (plugin from channels/telegram) webhook / long polling for development
    bot train [--force]                 train unless a model for the current data exists
    bot eval FILE.tsv [--report PATH] [--min-accuracy 0.9]
    bot serve                           action server, Rasa server, local web chat and the staff console
    bot users create NAME --role admin  console accounts (also list, set-password, deactivate)
    bot retention run [--days N]        delete conversations, cases and logs older than RETENTION_DAYS
    bot person show|delete PSEUDONYM    one person's data: what is held / delete it all
"""
from __future__ import annotations

import argparse
import logging
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Optional, Sequence

from bot.content.topics import is_topic_intent
from bot.migrations import db_upgrade
from bot.settings import PROJECT_ROOT, SettingsError, get_settings

CLI_PLUGINS = "brujula.cli"


def cmd_db(args) -> int:
    if args.action == "upgrade":
        db_upgrade()
        print("database schema is up to date")
    return 0


def _required_topics() -> list[str]:
    """Topic ids every pack must answer: the intents of the trained domain that name topics."""
    import yaml

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [i for i in domain["intents"] if is_topic_intent(i)]


def cmd_content(args) -> int:
    from bot.content.pack import PackError, load_pack, read_pack
    from bot.content.repository import ContentRepository

    if args.action in ("export", "import"):
        return _content_exchange(args)
    content_dir = Path(args.dir) if args.dir else get_settings().content_dir
    pack = read_pack(content_dir)
    if args.action == "check":
        return _check_content(pack, content_dir, args.max_age_months or get_settings().content_max_age_months)
    try:
        result = load_pack(ContentRepository(), pack, force=args.force, required_topics=_required_topics())
    except PackError as error:
        print(error, file=sys.stderr)
        return 1
    print(result.summary())
    for skipped in result.answers_skipped:
        print(f"  kept staff edit: {skipped} (use --force to replace)")
    return 0


def _content_exchange(args) -> int:
    """`bot content export DIR` (the database's live content as a pack, texts in every language of the database)
    / `bot content import DIR` (checked, then loaded in one transaction; a language the database lacks is added
    from the pack's languages.yml, not offered: bot.content.export)."""
    from bot.content.export import export_pack, import_pack
    from bot.content.pack import PackError

    if not args.path:
        print(f"usage: bot content {args.action} DIR", file=sys.stderr)
        return 2
    directory = Path(args.path)
    if args.action == "export":
        print(f"wrote {directory}: {export_pack(None, directory).summary()}")
        return 0
    if not directory.is_dir():
        print(f"error: {directory} is not a directory", file=sys.stderr)
        return 2
    try:
        result = import_pack(None, directory, required_topics=_required_topics(), force=args.force)
    except PackError as error:
        print(error, file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 1
    print(result.summary())
    for skipped in result.answers_skipped + result.faqs_skipped:
        print(f"  kept staff edit: {skipped} (use --force to replace)")
    return 0


def _check_content(pack, content_dir: Path, max_age_months: int) -> int:
    """`bot content check`: what must be fixed (exit 1), then what staff must review (blockers, stale)."""
    from bot.content.pack import check_pack, review_list
    from bot.content.sourcing import unsourced

    problems = check_pack(pack, _required_topics()) + unsourced(pack, content_dir / "sources" / "reference")
    for problem in problems:
        print(f"problem: {problem}")
    review = review_list(pack, max_age_months)
    blockers = [item for item in review if item.review_status == "blocker"]
    stale = [item for item in review if item.review_status != "blocker"]
    for label, items in (("blocker", blockers), (f"older than {max_age_months} months", stale)):
        for item in items:
            print(f"{label}: {item.what} (sources as of {item.valid_as_of or 'unknown'}) {item.note}".rstrip())
    print(f"{len(pack.topics)} topics, {len(pack.faqs)} FAQ entries, {len(pack.sources)} sources, "
          f"{len(pack.service_points)} service points: {len(problems)} problems, {len(blockers)} blockers, "
          f"{len(stale)} stale")
    return 1 if problems or stale else 0


def cmd_examples(args) -> int:
    """Phrasings: add one (used by the FAQ matcher within seconds), or export them all as NLU examples."""
    from bot.content.faq import FaqRepository
    from bot.content.repository import ContentError

    faq = FaqRepository()
    if args.action == "add":
        if not args.target or not args.text:
            print("usage: bot examples add TOPIC[/ENTRY] \"question\" [--lang es]", file=sys.stderr)
            return 2
        try:
            added = faq.add_phrasing(args.target, args.text, args.lang, origin="staff", by="cli")
        except ContentError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"added to {args.target}" if added else f"already there: {args.target}")
        return 0
    from bot.content.examples import nlu_yaml

    document = nlu_yaml(faq.phrasings(origin=args.origin))
    if args.out:
        Path(args.out).write_text(document, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(document, end="")
    return 0


def cmd_answer(args) -> int:
    from bot.content.repository import ContentError, ContentRepository

    repo = ContentRepository()
    try:
        if args.action == "show":
            answer = repo.get_answer(args.topic, args.lang, fallback=False)
            if answer is None:
                print(f"no published answer for {args.topic} [{args.lang}]")
            else:
                print(f"{answer.title}  (v{answer.version}, {answer.status})\n\n{answer.body}\n")
                for source in answer.sources:
                    print(f"source: {source.get('name')} {source.get('url') or ''}")
            for version in repo.history(args.topic, args.lang):
                print(f"  v{version.version} {version.status:<9} {version.created_at:%Y-%m-%d %H:%M} "
                      f"by {version.created_by} ({version.origin})")
        elif args.action == "edit":
            fields = {}
            if args.body_file:
                fields["body"] = Path(args.body_file).read_text(encoding="utf-8").strip()
            if args.title:
                fields["title"] = args.title
            draft = repo.save_draft(args.topic, args.lang, fields, created_by=args.by)
            print(f"saved draft v{draft.version}")
            if args.publish:
                repo.publish(args.topic, args.lang, draft.version, published_by=args.by)
                print(f"published v{draft.version}")
        elif args.action == "rollback":
            answer = repo.rollback(args.topic, args.lang, args.version, by=args.by)
            print(f"published v{answer.version} (copy of v{args.version})")
        elif args.action == "publish":
            answer = repo.publish(args.topic, args.lang, args.version, published_by=args.by)
            print(f"published v{answer.version} of {args.topic} [{args.lang}]")
    except ContentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_unanswered(args) -> int:
    from bot.content.repository import ContentRepository

    for item in ContentRepository().unanswered(args.limit):
        guesses = ", ".join(f"{g['name']} {g['confidence']:.2f}" for g in item.top_guesses)
        print(f"{item.created_at:%Y-%m-%d %H:%M} [{item.lang or '?'}/{item.channel or '?'}] {item.text}  <{guesses}>")
    return 0


def cmd_train(args) -> int:
    from bot.tooling.model_cache import train

    train(force=args.force)
    return 0


def cmd_eval(args) -> int:
    from bot.tooling.evaluation import evaluate_sets, format_report, read_cases, report, set_names, write_report
    from bot.tooling.model_cache import latest_model

    paths = [Path(name) for name in args.files]
    case_sets = {}
    for path, name in zip(paths, set_names(paths), strict=True):
        if not path.is_file():
            print(f"bot eval: {path}: no such file, skipped", file=sys.stderr)
            continue
        try:
            case_sets[name] = read_cases(path)
        except ValueError as error:  # a set that cannot be read is a mistake to fix, not an optional input
            print(f"bot eval: {error}", file=sys.stderr)
            return 2
    if not case_sets:
        print("bot eval: none of the evaluation files exists; nothing to run", file=sys.stderr)
        return 2
    try:
        model = Path(args.model) if args.model else latest_model()
    except FileNotFoundError as error:
        print(f"bot eval: {error}", file=sys.stderr)
        return 2
    # One action server and one loaded agent for all the files.
    outcomes = evaluate_sets(case_sets, model, args.action_url)
    results = {name: report(set_outcomes) for name, set_outcomes in outcomes.items()}
    for index, (name, result) in enumerate(results.items()):
        print(("\n" if index else "") + f"== {name} ==")
        print(format_report(result))
    if args.report:
        write_report(results, Path(args.report))
        print(f"\nreport written to {args.report} (one key per file: {', '.join(results)})")
    if args.min_accuracy is not None:
        low = {name: r["overall_accuracy"] for name, r in results.items() if r["overall_accuracy"] < args.min_accuracy}
        for name, accuracy in low.items():
            print(f"{name}: overall accuracy {accuracy:.1%} below {args.min_accuracy:.0%}", file=sys.stderr)
        if low:
            return 1
    return 0


def cmd_serve(args) -> int:
    from bot.tooling.serve import serve

    return serve(rasa_port=args.port, action_port=args.action_port, console_port=args.console_port)


def cmd_cluster(args) -> int:
    from bot.tooling.cluster import ClusterConfig, run_until_interrupted

    config = ClusterConfig(workdir=PROJECT_ROOT / "var" / "cluster", port=args.port, rasa_servers=args.rasa_servers,
                           sanic_workers=args.sanic_workers)
    if args.action_workers:
        config.action_workers = args.action_workers
    return run_until_interrupted(config)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Brújula command-line tool")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="content database schema")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(func=cmd_db)

    content = sub.add_parser("content", help="the starter content pack")
    content.add_argument("action", choices=["check", "load", "export", "import"])
    content.add_argument("path", nargs="?", metavar="DIR", help="with export / import: the pack's directory")
    content.add_argument("--dir", help="content directory (default: CONTENT_DIR or ./content)")
    content.add_argument("--force", action="store_true", help="replace answers edited by staff")
    content.add_argument("--max-age-months", type=int, help="with check: sources older than this are listed "
                         "(default CONTENT_MAX_AGE_MONTHS)")
    content.set_defaults(func=cmd_content)

    examples = sub.add_parser("examples", help="phrasings of topics and FAQ entries (no retraining needed)")
    examples.add_argument("action", choices=["add", "export"])
    examples.add_argument("target", nargs="?", help="with add: a topic (labour.h2a) or entry (labour.h2a/family)")
    examples.add_argument("text", nargs="?", help="with add: the question as people write it")
    examples.add_argument("--lang", help="with add: its language (a code of the languages table: es, en, quc...)")
    examples.add_argument("--origin", help="with export: only phrasings from content-pack, staff or taught")
    examples.add_argument("--out", help="with export: write the NLU YAML here (default: print it)")
    examples.set_defaults(func=cmd_examples)

    answer = sub.add_parser("answer", help="show, edit or roll back one answer")
    answer_sub = answer.add_subparsers(dest="action", required=True)
    show = answer_sub.add_parser("show")
    show.add_argument("topic")
    show.add_argument("--lang", default="es")
    edit = answer_sub.add_parser("edit")
    edit.add_argument("topic")
    edit.add_argument("lang")
    edit.add_argument("--body-file")
    edit.add_argument("--title")
    edit.add_argument("--publish", action="store_true")
    edit.add_argument("--by", default="staff")
    rollback = answer_sub.add_parser("rollback")
    rollback.add_argument("topic")
    rollback.add_argument("lang")
    rollback.add_argument("version", type=int)
    rollback.add_argument("--by", default="staff")
    publish = answer_sub.add_parser("publish", help="publish a version directly (audited)")
    publish.add_argument("topic")
    publish.add_argument("lang")
    publish.add_argument("version", type=int)
    publish.add_argument("--by", default="staff")
    answer.set_defaults(func=cmd_answer)

    unanswered = sub.add_parser("unanswered", help="questions the assistant could not answer")
    unanswered.add_argument("--limit", type=int, default=50)
    unanswered.set_defaults(func=cmd_unanswered)

    from bot.cli import audio, outbox, retention, users

    audio.register(sub)
    outbox.register(sub)
    users.register(sub)
    retention.register(sub)

    for plugin in entry_points(group=CLI_PLUGINS):
        plugin.load()(sub)  # commands of the outer layers (e.g. `bot telegram`), found without importing them

    train = sub.add_parser("train", help="train the model if the training data changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=cmd_train, needs_settings=False)  # training reads no settings (Docker builds it)

    ev = sub.add_parser("eval", help="score the assistant on labelled TSVs (text, lang, topic[, must_regex...])")
    ev.add_argument("files", nargs="+", metavar="FILE",
                    help="evaluation sets; a missing one is skipped with a note")
    ev.add_argument("--report", help="write the JSON report here (one key per file name)")
    ev.add_argument("--model", help="model archive (default: the one for the current data)")
    ev.add_argument("--action-url", help="use this action server instead of starting one")
    ev.add_argument("--min-accuracy", type=float, help="exit 1 when a file's overall accuracy is lower")
    ev.set_defaults(func=cmd_eval)

    serve = sub.add_parser("serve", help="run the assistant with the local web chat")
    serve.add_argument("--port", type=int, default=5005)
    serve.add_argument("--action-port", type=int, default=5055)
    serve.add_argument("--console-port", type=int, help="default CONSOLE_PORT (5100)")
    serve.set_defaults(func=cmd_serve)

    cluster = sub.add_parser("cluster", help="the production topology as local processes: nginx, Rasa servers on "
                                            "PostgreSQL and Redis, the action server, the console")
    cluster.add_argument("--port", type=int, default=8080, help="nginx's port")
    cluster.add_argument("--rasa-servers", type=int, default=2)
    cluster.add_argument("--sanic-workers", type=int, default=1, help="workers per Rasa server (SANIC_WORKERS)")
    cluster.add_argument("--action-workers", type=int, help="action server workers (default 1)")
    # Production mode with its own generated secrets (var/cluster/secrets.env), whatever BRUJULA_ENV says.
    cluster.set_defaults(func=cmd_cluster, needs_settings=False)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    log_level = "INFO"
    if getattr(args, "needs_settings", True):
        try:
            log_level = get_settings().log_level
        except SettingsError as error:
            print(f"bot: configuration error: {error}", file=sys.stderr)
            return 2
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
