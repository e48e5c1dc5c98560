"""Files that hold personal data are for the service's own user alone.

The stores (SQLite files of conversations, tickets and trackers), the generated endpoints
file and any logs under `var/` are created with no access for group or others: the
process and every process it starts use umask 077, and what an earlier run left readable
is closed up.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Files and folders this process (and its children) create: owner only."""
    os.umask(PRIVATE_UMASK)


def keep_private(folder: Path) -> None:
    """Create `folder` owner-only, take group and other access from everything already in
    it, and use the private umask from now on."""
    private_umask()
    folder.mkdir(parents=True, exist_ok=True)
    for path in (folder, *folder.rglob("*")):
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
