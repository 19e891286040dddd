"""Trained models cached by a hash of everything that goes into training.

`models/brujula-<hash>.tar.gz` is reused as long as data/, config.yml, domain.yml, the code of our NLU
components (pickled into the model) and the Rasa version are unchanged, so `make test` and `make run` only
train after a change to what goes into training.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"
TRAINING_INPUTS = ("config.yml", "domain.yml", "data", "bot/nlu", "bot/safety", "bot/language/folding.py",
                   "bot/language/options.py")


def training_hash(root: Path = PROJECT_ROOT) -> str:
    import rasa

    digest = hashlib.sha256(f"rasa=={rasa.__version__}\n".encode())
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts))
        else:
            files.append(path)
    for file in files:
        digest.update(str(file.relative_to(root)).encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return MODELS_DIR / f"brujula-{training_hash(root)}.tar.gz"


def train(force: bool = False, root: Path = PROJECT_ROOT) -> Path:
    """Train unless a model for the current inputs exists; returns the model's path."""
    target = model_path(root)
    if target.exists() and not force:
        print(f"model up to date: {target.relative_to(root)}")
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    rasa = Path(sys.executable).with_name("rasa")
    command = [
        str(rasa), "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", str(MODELS_DIR), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    subprocess.run(command, cwd=root, check=True)
    for old in MODELS_DIR.glob("brujula-*.tar.gz"):
        if old != target:
            old.unlink()  # keep the cache small: only the current model
    return target


def latest_model(root: Path = PROJECT_ROOT) -> Path:
    """The model for the current inputs; fails with a clear message if it was not trained."""
    target = model_path(root)
    if not target.exists():
        raise FileNotFoundError(f"no trained model for the current data ({target.name}); run 'make train'")
    return target
