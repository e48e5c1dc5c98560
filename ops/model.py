"""Train the Rasa model only when its inputs changed.

The model is named by a hash of the training data, domain, config and Rasa version, so
an unchanged project reuses its model and a test run never trains twice.

    python -m ops.model          # print the model path, training first if needed
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
KEEP = 3


def training_inputs() -> list[Path]:
    files = [ROOT / "config.yml", ROOT / "domain.yml", ROOT / "data" / "rules.yml", ROOT / "data" / "stories.yml"]
    files += sorted((ROOT / "data" / "nlu").glob("*.yml"))
    return files


def fingerprint() -> str:
    digest = hashlib.sha256()
    try:
        from importlib.metadata import version

        digest.update(version("rasa").encode())
    except Exception:  # pragma: no cover - rasa is always installed in the venv
        digest.update(b"rasa")
    for path in training_inputs():
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"mutuals-{fingerprint()}.tar.gz"


def ensure_model(quiet: bool = False) -> Path:
    """The current model's path, training it first if no model matches the inputs."""
    MODELS.mkdir(exist_ok=True)
    target = model_path()
    with open(MODELS / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # never two trainings at once
        if target.exists():
            if not quiet:
                print(f"Model is up to date: {target.relative_to(ROOT)}", file=sys.stderr)
            return target
        print(f"Training the Rasa model ({target.name}); this takes a few minutes...", file=sys.stderr)
        started = time.monotonic()
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
        command = [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "--fixed-model-name",
            target.name.removesuffix(".tar.gz"),
            "--out",
            str(MODELS),
            "--config",
            str(ROOT / "config.yml"),
            "--domain",
            str(ROOT / "domain.yml"),
            "--data",
            str(ROOT / "data" / "nlu"),
            str(ROOT / "data" / "rules.yml"),
            str(ROOT / "data" / "stories.yml"),
        ]
        result = subprocess.run(command, cwd=ROOT, env=env)  # noqa: S603 - our own rasa, fixed arguments
        if result.returncode != 0 or not target.exists():
            raise SystemExit(f"Training failed (exit {result.returncode}).")
        line = f"Trained in {time.monotonic() - started:.0f} s: {target.relative_to(ROOT)}"
        print(line, file=sys.stderr)
        with open(MODELS / "training.log", "a") as record:  # for `make bench`'s training figure
            record.write(line + "\n")
        _prune(keep=target)
        return target


def _prune(keep: Path) -> None:
    models = sorted(MODELS.glob("mutuals-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][KEEP - 1 :]:
        old.unlink(missing_ok=True)


if __name__ == "__main__":
    print(ensure_model())
