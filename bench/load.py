"""`make bench-load`: sustained throughput and reply latency under concurrent conversations, in one run, for

- stock Rasa 3.6: a `rasa init` moodbot on the REST channel, no action server, in-memory tracker store
  (the baseline);
- Brújula with one Rasa server, and Brújula as the cluster (two Rasa servers), both behind nginx with the
  PostgreSQL tracker store, the Redis lock store, the action server and the content database in the loop
  (bot/tooling/cluster.py); optionally with more Sanic workers per server (--variants).

Each level runs C concurrent conversations (fresh ones), each sending realistic messages (the shared dev sets,
else our training examples) one after the other, waiting for every reply. Then one conversation of 200 messages
on the SQL tracker store: message 1 against message 200. Writes bench/results/load.md (the table),
bench/results/load.json and docs/load-latency.png (latency against concurrency).

    python -m bench.load [--levels 1 20 100] [--systems stock one cluster workers] [--quick]
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

import aiohttp
import yaml

from bot.settings import PROJECT_ROOT
from bot.tooling.cluster import Cluster, ClusterConfig, _group_rss_mb
from bot.tooling.processes import free_port, stop, wait_for_http

RESULTS = PROJECT_ROOT / "bench" / "results"
PLOT = PROJECT_ROOT / "docs" / "load-latency.png"
SHARED_EVAL = PROJECT_ROOT.parent / "shared" / "eval"
STOCK_DIR = PROJECT_ROOT / "var" / "bench" / "stock-rasa"
RASA = Path(sys.executable).with_name("rasa")


def realistic_messages() -> list[str]:
    """The shared development sets where present (how people write), else our own training examples."""
    texts: list[str] = []
    for name in ("dev.tsv", "dev_real.tsv"):
        path = SHARED_EVAL / name
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                texts += [row["text"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    if texts:
        return texts
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text()).get("nlu", []):
            texts += [line[2:].strip() for line in str(item.get("examples", "")).splitlines() if line.startswith("- ")]
    return texts


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


@dataclass
class LevelResult:
    system: str
    conversations: int
    messages: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


@dataclass
class SystemReport:
    name: str
    levels: list[LevelResult] = field(default_factory=list)
    rss_mb: dict = field(default_factory=dict)
    model_load_s: Optional[float] = None
    long_conversation: Optional[dict] = None
    cpu_ms_per_message: dict = field(default_factory=dict)  # at 20 conversations: where the machine's time goes


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(groups: dict[str, int]) -> dict[str, float]:
    """CPU time used so far by each process group (a server with its workers), by PostgreSQL and Redis (every
    process of theirs: nothing else uses them during the benchmark) and by this load generator."""
    totals = {name: 0.0 for name in [*groups, "postgres", "redis"]}
    by_group = {pgid: name for name, pgid in groups.items()}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, rest = stat.read_text().rpartition(")")
            fields = rest.split()
            comm = head.partition("(")[2]
            used = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
            if int(fields[2]) in by_group:
                totals[by_group[int(fields[2])]] += used
            elif comm.startswith("postgres"):
                totals["postgres"] += used
            elif comm.startswith("redis-server"):
                totals["redis"] += used
        except (OSError, ValueError, IndexError):
            continue
    totals["load generator"] = time.process_time()
    return totals


# A client speaks to one system: `open` starts a conversation, `send` posts one message and waits for the reply.
class WebChatClient:
    """Brújula's web chat (POST /session, then /webhook with the signed token)."""

    def __init__(self, base_url: str):
        self.base = f"{base_url}/webhooks/webchat"

    async def open(self, http: aiohttp.ClientSession) -> dict:
        async with http.post(f"{self.base}/session", json={}) as response:
            response.raise_for_status()
            return await response.json()

    async def send(self, http: aiohttp.ClientSession, conversation: dict, text: str) -> bool:
        async with http.post(f"{self.base}/webhook", json={**conversation, "message": text}) as response:
            body = await response.json(content_type=None)
            return response.status == 200 and isinstance(body, list)


class RestClient:
    """Stock Rasa's REST channel."""

    def __init__(self, base_url: str):
        self.url = f"{base_url}/webhooks/rest/webhook"

    async def open(self, _http: aiohttp.ClientSession) -> dict:
        return {"sender": f"load-{random.getrandbits(64):016x}"}

    async def send(self, http: aiohttp.ClientSession, conversation: dict, text: str) -> bool:
        async with http.post(self.url, json={**conversation, "message": text}) as response:
            body = await response.json(content_type=None)
            return response.status == 200 and isinstance(body, list)


async def run_level(client, system: str, conversations: int, per_conversation: int, texts: list[str],
                    seed: int) -> LevelResult:
    rng = random.Random(seed)
    latencies: list[float] = []
    errors = 0

    async def one_conversation(http: aiohttp.ClientSession) -> None:
        nonlocal errors
        try:
            conversation = await client.open(http)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            errors += per_conversation
            return
        for _ in range(per_conversation):
            text = rng.choice(texts)
            started = time.perf_counter()
            try:
                ok = await client.send(http, conversation, text)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=conversations + 10)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(*(one_conversation(http) for _ in range(conversations)))
        seconds = time.perf_counter() - started
    return LevelResult(system, conversations, len(latencies), errors, round(seconds, 2),
                       round(len(latencies) / seconds, 1), round(percentile(latencies, 50) * 1000, 1),
                       round(percentile(latencies, 95) * 1000, 1), round(percentile(latencies, 99) * 1000, 1))


async def long_conversation(client, texts: list[str], length: int = 200, window: int = 10) -> dict:
    """One conversation of `length` messages: the median latency of its first and last `window` messages."""
    rng = random.Random(7)
    latencies: list[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        conversation = await client.open(http)
        for _ in range(length):
            started = time.perf_counter()
            await client.send(http, conversation, rng.choice(texts))
            latencies.append(time.perf_counter() - started)
    first, last = statistics.median(latencies[:window]), statistics.median(latencies[-window:])
    return {"messages": length, "first_ms": round(first * 1000, 1), "last_ms": round(last * 1000, 1),
            "ratio": round(last / first, 2)}


def per_conversation(conversations: int, quick: bool) -> int:
    # About 600 messages per level (fewer at 1 conversation), so each level runs long enough to be sustained.
    budget = {1: 60, 20: 600, 100: 1000}.get(conversations, 20 * conversations)
    return max(3, (budget // 4 if quick else budget) // conversations)


async def measure(client, name: str, levels: list[int], texts: list[str], quick: bool,
                  groups: Optional[dict[str, int]] = None, cpu: Optional[dict] = None) -> list[LevelResult]:
    await run_level(client, name, 4, 3, texts, seed=0)  # warm-up: first-call costs out of the measurement
    results = []
    for conversations in levels:
        before = cpu_seconds(groups or {})
        result = await run_level(client, name, conversations, per_conversation(conversations, quick), texts,
                                 seed=conversations)
        if conversations == 20 and cpu is not None and result.messages:
            after = cpu_seconds(groups or {})
            cpu.update({part: round((after[part] - before[part]) * 1000 / result.messages, 1) for part in after})
        print(f"  {name}: {conversations} conversations: {result.throughput} msg/s, p50 {result.p50_ms} ms, "
              f"p95 {result.p95_ms} ms, errors {result.errors}", flush=True)
        results.append(result)
    return results


# --- the baseline: stock `rasa init` ------------------------------------------------------------------------

def stock_project() -> Path:
    """`rasa init --no-prompt` (trains the moodbot with Rasa's default config), made once and kept."""
    if not list((STOCK_DIR / "models").glob("*.tar.gz")):
        shutil.rmtree(STOCK_DIR, ignore_errors=True)
        STOCK_DIR.mkdir(parents=True)
        print("Training stock Rasa's `rasa init` moodbot (once; a few minutes)...", flush=True)
        subprocess.run([str(RASA), "init", "--no-prompt", "--init-dir", str(STOCK_DIR)], cwd=STOCK_DIR,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    (STOCK_DIR / "credentials.yml").write_text("rest:\n")
    return STOCK_DIR


class StockRasa:
    def __init__(self, project: Path):
        self.project = project
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None
        self.model_load_s: Optional[float] = None

    def __enter__(self) -> "StockRasa":
        model = sorted((self.project / "models").glob("*.tar.gz"))[-1]
        log = open(self.project / "rasa-run.log", "w")
        started = time.monotonic()
        # No endpoints: Rasa's defaults (in-memory tracker and lock stores), as `rasa run` after `rasa init`.
        self.process = subprocess.Popen(
            [str(RASA), "run", "--model", str(model), "--credentials", str(self.project / "credentials.yml"),
             "--port", str(self.port), "--interface", "127.0.0.1"],
            cwd=self.project, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
        wait_for_http(f"http://127.0.0.1:{self.port}/webhooks/rest/", 300, self.process)
        self.model_load_s = round(time.monotonic() - started, 1)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_exc) -> None:
        if self.process is not None:
            stop(self.process)


# --- Brújula ------------------------------------------------------------------------------------------------

def brujula_cluster(workdir: Path, rasa_servers: int, sanic_workers: int = 1, action_workers: Optional[int] = None,
                    port: Optional[int] = None) -> Cluster:
    suffix = f"{rasa_servers}x{sanic_workers}x{action_workers or 0}"
    config = ClusterConfig(workdir=workdir / suffix, port=port or free_port(), rasa_servers=rasa_servers,
                           sanic_workers=sanic_workers, content_db=f"brujula_bench_{suffix}",
                           tracker_db=f"brujula_bench_tracker_{suffix}", redis_db=6, console=False,
                           env={"LOG_LEVEL": "WARNING"})
    if action_workers:
        config.action_workers = action_workers
    drop_databases(config)
    return Cluster(config)


def drop_databases(config: ClusterConfig) -> None:
    """Every run starts on empty trackers: the tracker table's size changes the cost of a reply."""
    import psycopg2

    admin = psycopg2.connect(f"{config.postgres_url}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in (config.content_db, config.tracker_db):
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def timed_start(cluster: Cluster) -> float:
    started = time.monotonic()
    cluster.start()
    return round(time.monotonic() - started, 1)


def model_load_seconds(cluster: Cluster) -> float:
    """A Rasa server restarted alone: from process start to answering (the model load, imports included)."""
    name = cluster.rasa_names[0]
    started = time.monotonic()
    cluster.restart(name)
    return round(time.monotonic() - started, 1)


async def bench_system(name: str, client, levels, texts, quick, rss: Callable[[], dict],
                       groups: dict[str, int], long_run: bool = False) -> SystemReport:
    report = SystemReport(name)
    report.levels = await measure(client, name, levels, texts, quick, groups, report.cpu_ms_per_message)
    report.rss_mb = {k: round(v) for k, v in rss().items()}
    if long_run:
        report.long_conversation = await long_conversation(client, texts, 200 if not quick else 60)
        print(f"  {name}: long conversation {report.long_conversation}", flush=True)
    return report


CORES = os.cpu_count() or 1
SETUPS = {  # name -> (label, Rasa servers, Sanic workers per server, action server workers)
    "one": ("Brújula, 1 Rasa server", 1, 1, CORES),
    "cluster": ("Brújula cluster, 2 Rasa servers", 2, 1, CORES),
    "workers": ("Brújula, 1 Rasa server x 2 Sanic workers", 1, 2, CORES),
    "cluster-1-action-worker": ("Brújula cluster, 2 Rasa servers, 1 action worker", 2, 1, 1),
}


def run(levels: list[int], systems: list[str], quick: bool) -> list[SystemReport]:
    texts = realistic_messages()
    reports: list[SystemReport] = []
    workdir = Path(tempfile.mkdtemp(prefix="brujula-load-"))
    try:
        if "stock" in systems:
            project = stock_project()
            print("stock Rasa (rasa init, REST channel, in-memory tracker)...", flush=True)
            with StockRasa(project) as stock:
                report = asyncio.run(bench_system("stock Rasa 3.6 (`rasa init`)", RestClient(stock.url), levels,
                                                  texts, quick, lambda: {"rasa": _group_rss_mb(stock.process.pid)},
                                                  {"rasa": stock.process.pid}, long_run=True))
                report.model_load_s = stock.model_load_s
                reports.append(report)
        for name, servers, workers, action_workers in (SETUPS[key] for key in systems if key in SETUPS):
            print(f"{name}...", flush=True)
            cluster = brujula_cluster(workdir, servers, workers, action_workers)
            with cluster:
                client = WebChatClient(cluster.url)
                groups = {n: p.pid for n, p in cluster.processes.items()}
                report = asyncio.run(bench_system(name, client, levels, texts, quick, cluster.rss_mb, groups,
                                                  long_run=name == SETUPS["one"][0]))
                if name == SETUPS["one"][0]:
                    report.model_load_s = model_load_seconds(cluster)
                reports.append(report)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return reports


# --- report --------------------------------------------------------------------------------------------------

def markdown(reports: list[SystemReport], command: str) -> str:
    stock = next((r for r in reports if r.name.startswith("stock")), None)
    stock_by_level = {level.conversations: level for level in stock.levels} if stock else {}
    lines = [f"Measured {dt.date.today().isoformat()} on this machine ({os.cpu_count()} cores) with `{command}`.",
             "", "| system | conversations | messages | errors | msg/s | × stock | p50 ms | p95 ms | p99 ms |",
             "|---|---|---|---|---|---|---|---|---|"]
    for report in reports:
        for level in report.levels:
            base = stock_by_level.get(level.conversations)
            ratio = f"{level.throughput / base.throughput:.2f}" if base and base.throughput else "—"
            lines.append(f"| {report.name} | {level.conversations} | {level.messages} | {level.errors} | "
                         f"{level.throughput} | {ratio} | {level.p50_ms} | {level.p95_ms} | {level.p99_ms} |")
    lines += ["", "| system | model load (s) | message 1 (ms) | message 200 (ms) | ratio | RSS per process (MB) |",
              "|---|---|---|---|---|---|"]
    for report in reports:
        long = report.long_conversation or {}
        rss = ", ".join(f"{name} {mb}" for name, mb in report.rss_mb.items())
        lines.append(f"| {report.name} | {report.model_load_s if report.model_load_s is not None else '—'} | "
                     f"{long.get('first_ms', '—')} | {long.get('last_ms', '—')} | {long.get('ratio', '—')} | {rss} |")
    lines += ["", "CPU time per message at 20 conversations (ms; all processes share 2 cores, so the ceiling is "
              "about 2,000 ms / the total messages per second):", "",
              "| system | total | " + " | ".join(CPU_PARTS) + " |", "|---|---|" + "---|" * len(CPU_PARTS)]
    for report in reports:
        cpu = report.cpu_ms_per_message
        if cpu:
            parts = [sum(v for k, v in cpu.items() if k == part or k.startswith(part + "-")) for part in CPU_PARTS]
            lines.append(f"| {report.name} | {sum(cpu.values()):.1f} | " + " | ".join(
                f"{v:.1f}" if v else "—" for v in parts) + " |")
    return "\n".join(lines) + "\n"


CPU_PARTS = ["rasa", "actions", "postgres", "redis", "nginx", "load generator"]


def plot(reports: list[SystemReport], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (p50_axis, p95_axis) = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    for report in reports:
        x = [level.conversations for level in report.levels]
        p50_axis.plot(x, [level.p50_ms for level in report.levels], marker="o", label=report.name)
        p95_axis.plot(x, [level.p95_ms for level in report.levels], marker="o", label=report.name)
    for axis, title in ((p50_axis, "reply latency p50"), (p95_axis, "reply latency p95")):
        axis.set_xscale("log")
        axis.set_xlabel("concurrent conversations")
        axis.set_ylabel("ms")
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
    p95_axis.axhline(300, color="grey", linestyle="--", linewidth=1)
    p50_axis.legend(fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 20, 100])
    parser.add_argument("--systems", nargs="+", choices=["stock", *SETUPS], default=["stock", "one", "cluster"],
                        help="what to measure (workers: one server with 2 Sanic workers; cluster-1-action-worker)")
    parser.add_argument("--quick", action="store_true", help="a quarter of the messages (a smoke run)")
    args = parser.parse_args(argv)
    command = "make bench-load" + (f' LOAD_ARGS="{" ".join(sys.argv[1:])}"' if sys.argv[1:] else "")
    reports = run(args.levels, args.systems, args.quick)
    RESULTS.mkdir(parents=True, exist_ok=True)
    table = markdown(reports, command)
    (RESULTS / "load.md").write_text(table)
    (RESULTS / "load.json").write_text(json.dumps([asdict(r) for r in reports], indent=2))
    plot(reports, PLOT)
    print("\n" + table)
    print(f"written: {RESULTS / 'load.md'}, {RESULTS / 'load.json'}, {PLOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
