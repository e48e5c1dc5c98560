"""Browser tests: Debian's Chromium driven by Playwright against the real stack. The
browser, context and page fixtures are in tests/browser/fixtures.py."""

from __future__ import annotations

import pytest

from tests.browser.fixtures import ARTIFACTS, AXE, CHROMIUM, LAUNCH_ARGS, run_axe  # noqa: F401 - used by the tests
from tests.e2e.conftest import running_stack


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with running_stack("sqlite", tmp_path_factory.mktemp("browser-stack")) as running:
        yield running
