"""What the headless-Chromium tests share: Debian's chromium and chromedriver, or a skip that
says how to get them."""

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no system Chromium and chromedriver (apt-get install chromium chromium-driver)",
)
