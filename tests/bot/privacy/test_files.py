"""Stores, logs and the endpoints file are private to the service's user (real processes:
umask is per process, so each check runs in its own)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(code: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code, *args], check=True, env=env, cwd=ROOT, timeout=120)


def test_keep_private_closes_what_an_earlier_run_left_open_and_what_comes_next(tmp_path):
    var = tmp_path / "var"
    (var / "prod").mkdir(parents=True)
    old = var / "mutuals.db"
    old.write_text("conversations")
    old.chmod(0o644)
    (var / "prod").chmod(0o755)
    run(
        "import sys; from pathlib import Path; from bot.privacy.files import keep_private;"
        "var = Path(sys.argv[1]); keep_private(var); (var / 'rasa.log').write_text('x'); (var / 'logs').mkdir()",
        str(var),
    )
    assert mode(var) == 0o700 and mode(var / "prod") == 0o700 and mode(var / "logs") == 0o700
    assert mode(old) == 0o600 and mode(var / "rasa.log") == 0o600


def test_the_project_command_creates_a_private_store(tmp_path):
    store = tmp_path / "store.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{store}", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], check=True, env=env, cwd=tmp_path, timeout=120, capture_output=True
    )
    assert mode(store) == 0o600
