"""Create Rasa's tracker tables once, before several Rasa servers start.

Each Rasa server creates the SQL tracker store's tables at start-up if they are missing.
Two servers starting together on one PostgreSQL database race to do it, and one fails
with a UniqueViolation (on PostgreSQL's type catalogue). The production profile runs this
first, in one process, so the servers find the tables there.

    python -m runtime.tracker_schema ENDPOINTS_FILE
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path


def create(endpoints_file: Path) -> None:
    """Create the tables (and the database, as Rasa does) of the file's tracker store."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints_file), "tracker_store")
    if config is None:
        raise SystemExit(f"{endpoints_file} has no tracker_store")
    TrackerStore.create(config, domain=Domain.empty())


def create_in_subprocess(endpoints_file: Path, timeout: float = 300) -> None:
    """The same in a child process (Rasa is slow to import and keeps threads around)."""
    result = subprocess.run(  # noqa: S603 - our own module, a path we wrote
        [sys.executable, "-m", "runtime.tracker_schema", str(endpoints_file)],
        cwd=Path(__file__).resolve().parent.parent,
        # Rasa expands ${ACTION_TOKEN} in the file when it reads it; only the tracker store is used here.
        env={"ACTION_TOKEN": "unused", **os.environ},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"Could not create the tracker tables: {(result.stderr or result.stdout)[-2000:]}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    create(Path(sys.argv[1]))
