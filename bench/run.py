"""`make bench`: training time, model load time and memory, NLU parse latency, end-to-end reply latency
over HTTP (1 and 20 concurrent conversations) and content-edit-to-live time. Prints a Markdown table.

    python -m bench.run [--skip-train] [--messages 200]
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.settings import PROJECT_ROOT
from bot.tooling.processes import (
    free_port,
    start_action_server,
    start_rasa_server,
    stop,
    wait_for_http,
    write_endpoints,
)

DEV_SET = PROJECT_ROOT.parent / "shared" / "eval" / "dev.tsv"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def messages() -> list[str]:
    with DEV_SET.open(encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


def measure_training() -> float:
    """A fresh training: its own output and an empty Rasa training cache (Rasa reuses cached components)."""
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(out) / "cache")}
        started = time.monotonic()
        subprocess.run(
            [str(Path(sys.executable).with_name("rasa")), "train", "--out", out, "--config", "config.yml",
             "--domain", "domain.yml", "--data", "data", "--fixed-model-name", "bench"],
            cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.monotonic() - started


async def parse_latencies(model: Path, texts: list[str]) -> list[float]:
    from rasa.core.agent import load_agent

    agent = await load_agent(model_path=str(model))
    await agent.parse_message("hola")  # warm-up
    latencies = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def post(url: str, body: dict) -> list:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def conversation(base: str, texts: list[str]) -> list[float]:
    session = post(f"{base}/session", {})
    latencies = []
    for text in texts:
        started = time.perf_counter()
        post(f"{base}/webhook", {**session, "message": text})
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def http_latencies(base: str, texts: list[str], concurrency: int, per_conversation: int) -> tuple[list[float], float]:
    batches = [
        [texts[(i * per_conversation + j) % len(texts)] for j in range(per_conversation)] for i in range(concurrency)
    ]
    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda batch: conversation(base, batch), batches))
    elapsed = time.monotonic() - started
    return [x for r in results for x in r], concurrency * per_conversation / elapsed


TWILIO_SID, TWILIO_TOKEN = "AC" + "9" * 32, "bench-auth-token-0123456789"
PUBLIC = "https://brujula.example.org"


def whatsapp_latencies(root: str, fake, texts: list[str], count: int) -> tuple[list[float], list[float]]:
    """Webhook acknowledgement time, and time until the answer reached the (fake) Twilio API."""
    from urllib.parse import urlencode

    from twilio.request_validator import RequestValidator

    path = "/webhooks/whatsapp/webhook"
    acks, deliveries = [], []
    for index in range(count):
        number = f"whatsapp:+5024{index:07d}"
        form = {"MessageSid": f"SMbench{index:06d}{time.time_ns()}", "From": number, "Body": texts[index % len(texts)],
                "NumMedia": "0"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC + path, form)
        request = urllib.request.Request(root + path, data=urlencode(form).encode(), method="POST", headers={
            "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
        acks.append((time.perf_counter() - started) * 1000)
        while not fake.sent_to(number):
            time.sleep(0.002)
        deliveries.append((time.perf_counter() - started) * 1000)
    return acks, deliveries


def edit_to_live(base: str, database_url: str) -> float:
    from bot.content.repository import ContentRepository

    repo = ContentRepository(database_url)
    marker = f"Aviso de prueba {time.time():.0f}."
    current = repo.get_answer("labour.scams", "es")
    session = post(f"{base}/session", {})
    draft = repo.save_draft("labour.scams", "es", {"body": f"{current.body}\n{marker}"}, "bench")
    started = time.monotonic()
    repo.publish("labour.scams", "es", draft.version, "bench")
    while True:
        replies = post(f"{base}/webhook", {**session, "message": "/labour.scams"})
        if any(marker in (r.get("text") or "") for r in replies):
            elapsed = time.monotonic() - started
            break
    repo.rollback("labour.scams", "es", current.version, "bench")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-train", action="store_true", help="do not measure a fresh training run")
    parser.add_argument("--per-conversation", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from bot.settings import get_settings
    from bot.tooling.evaluation import quiet_rasa_logs
    from bot.tooling.model_cache import latest_model

    quiet_rasa_logs()
    model = latest_model()
    texts = messages()
    rows: list[tuple[str, str]] = []
    if not args.skip_train:
        rows.append(("training time (fresh, 2 cores)", f"{measure_training():.0f} s"))

    from tests.channels.fake_twilio import FakeTwilio

    fake_twilio = FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
    # Test mode: the servers send to the local fake Twilio API.
    server_env = {**os.environ, "BRUJULA_ENV": "test", "TWILIO_ACCOUNT_SID": TWILIO_SID,
                  "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
                  "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "TWILIO_API_BASE_URL": fake_twilio.base_url,
                  "PUBLIC_BASE_URL": PUBLIC}
    action_port, rasa_port = free_port(), free_port()
    tmp = Path(tempfile.mkdtemp())
    actions = start_action_server(action_port, log=subprocess.DEVNULL)
    rasa = None
    try:
        wait_for_http(f"http://127.0.0.1:{action_port}/health", 90, actions)
        started = time.monotonic()
        rasa = start_rasa_server(rasa_port, model, write_endpoints(tmp / "endpoints.yml", action_port),
                                 env=server_env, log=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{rasa_port}/webhooks/webchat"
        wait_for_http(f"{base}/", 300, rasa)
        rows.append(("model load time (Rasa server start to ready)", f"{time.monotonic() - started:.1f} s"))
        post(f"{base}/webhook", {**post(f"{base}/session", {}), "message": "hola"})  # warm-up
        rows.append(("Rasa server memory (RSS, after warm-up)", f"{rss_mb(rasa.pid):.0f} MB"))
        rows.append(("action server memory (RSS)", f"{rss_mb(actions.pid):.0f} MB"))

        parse = asyncio.run(parse_latencies(model, texts))
        rows.append((f"NLU parse latency p50 / p95 ({len(parse)} messages, in-process)",
                     f"{statistics.median(parse):.1f} / {percentile(parse, 95):.1f} ms"))
        for concurrency in (1, 20):
            latencies, throughput = http_latencies(base, texts, concurrency, args.per_conversation)
            rows.append((f"reply latency over HTTP p50 / p95, {concurrency} concurrent conversation(s)",
                         f"{statistics.median(latencies):.0f} / {percentile(latencies, 95):.0f} ms "
                         f"({throughput:.1f} msg/s)"))
        rows.append(("content edit to live (publish -> next reply shows it)",
                     f"{edit_to_live(base, get_settings().database_url) * 1000:.0f} ms"))
        acks, deliveries = whatsapp_latencies(f"http://127.0.0.1:{rasa_port}", fake_twilio, texts, 50)
        rows.append(("WhatsApp webhook acknowledgement p50 / p95 (50 messages)",
                     f"{statistics.median(acks):.0f} / {percentile(acks, 95):.0f} ms"))
        rows.append(("WhatsApp message to first reply at the Twilio API p50 / p95",
                     f"{statistics.median(deliveries):.0f} / {percentile(deliveries, 95):.0f} ms"))
    finally:
        fake_twilio.close()
        if rasa is not None:
            stop(rasa)
        stop(actions)

    width = max(len(name) for name, _ in rows)
    table = [f"| {'measure':<{width}} | result |", f"|{'-' * (width + 2)}|--------|"]
    table += [f"| {name:<{width}} | {value} |" for name, value in rows]
    print("\n".join(table))
    out = PROJECT_ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text("\n".join(table) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
