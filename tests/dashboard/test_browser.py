"""The dashboard in a real headless browser (Debian's chromium driven by Selenium) against the
real server, with the network closed to everything but loopback: what a presenter sees. One
browser and one sandbox for the module. Screenshots go to test-artifacts/dashboard/.

Skipped, saying why, without a browser: ``apt-get install chromium chromium-driver``."""

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.clients.digitalent import DigitalentAuth
from mock_server.registry import PROVIDERS
from tests.browser import CHROMEDRIVER, CHROMIUM, needs_chromium
from tests.server import RunningServer, running_server

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = needs_chromium
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
AKADEMI = "/api/public/pelatihan/akademi"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server(None) as running:
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,720",  # a projector's
        # Offline: every name but loopback fails to resolve, so a CDN asset could not load.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def wait(browser: Any, seconds: float = 10.0) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds, poll_frequency=0.05)


def by_css(browser: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, css)


def text(browser: Any, css: str) -> str:
    """An element's text, read in one go: htmx may swap the element between two calls."""
    return str(browser.execute_script(f"return document.querySelector('{css}').textContent"))


def present(browser: Any, css: str) -> bool:
    return bool(browser.execute_script(f"return !!document.querySelector('{css}')"))


def signed_get(server: RunningServer, **auth: Any) -> httpx.Response:
    with httpx.Client(base_url=server.url("digitalent"), auth=DigitalentAuth(**auth)) as client:
        return client.get(AKADEMI)


def open_journal(browser: Any, server: RunningServer) -> None:
    browser.get(server.url("admin") + "/")
    wait(browser).until(lambda d: by_css(d, "#live").text == "live")


def test_the_dashboard_loads_with_the_sandbox_time(browser: Any, server: RunningServer) -> None:
    open_journal(browser, server)
    assert "Journal" in browser.title
    shown = by_css(browser, "#sandbox-now").text
    assert shown.endswith("UTC")
    assert shown[:10] == httpx.get(server.url("admin") + "/__admin/clock").json()["now"][:10]
    # Every script and style came from the control plane itself.
    sources = browser.execute_script(
        "return [...document.querySelectorAll('script[src], link[href]')].map(e => e.src || e.href)"
    )
    assert all(s.startswith(server.url("admin")) for s in sources), sources


def test_a_signed_request_appears_without_a_reload_and_its_detail_explains_it(
    browser: Any, server: RunningServer
) -> None:
    open_journal(browser, server)
    browser.execute_script("document.body.dataset.sameDocument = 'yes'")
    ok = signed_get(server)
    assert ok.status_code == 200
    sent = time.monotonic()
    row = f'tr[data-id="{ok.headers["x-mock-journal-id"]}"]'
    wait(browser, 1.0).until(lambda d: present(d, row))
    assert time.monotonic() - sent < 1.0
    assert browser.execute_script("return document.body.dataset.sameDocument") == "yes"

    bad = signed_get(server, client_secret="not-the-secret")  # the wrong secret
    assert bad.status_code == 401
    row = f'tr[data-id="{bad.headers["x-mock-journal-id"]}"]'
    wait(browser, 1.0).until(lambda d: present(d, row))
    by_css(browser, row).click()
    explanation = wait(browser).until(lambda d: by_css(d, "#explanation"))
    entry = httpx.get(
        f"{server.url('admin')}/__admin/requests/{bad.headers['x-mock-journal-id']}"
    ).json()
    string_to_sign = entry["diagnosis"]["string_to_sign"]
    assert string_to_sign.split(":")[0] == "GET"
    assert string_to_sign in explanation.text
    browser.save_screenshot(str(ARTIFACTS / "journal.png"))

    by_css(browser, "#detail button").click()  # Copy as curl
    command = wait(browser).until(lambda d: by_css(d, "#curl-command")).text
    assert command.startswith("curl ")
    if shutil.which("curl"):
        ran = subprocess.run(
            ["bash", "-c", command + " -o /dev/null -w '%{http_code}'"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        assert ran.stdout == "200", ran.stderr  # freshly signed, with the demo secret


def test_the_journal_can_be_paused_and_filtered(browser: Any, server: RunningServer) -> None:
    open_journal(browser, server)
    by_css(browser, "#pause").click()
    held = signed_get(server)
    wait(browser, 2.0).until(lambda d: "1 new while paused" in by_css(d, "#held").text)
    row = f'tr[data-id="{held.headers["x-mock-journal-id"]}"]'
    assert not present(browser, row)
    by_css(browser, "#pause").click()
    assert present(browser, row)

    from selenium.webdriver.support.ui import Select

    Select(by_css(browser, "select[name=provider]")).select_by_visible_text("joss")
    wait(browser).until(lambda d: not present(d, row))
    joss = httpx.get(f"{server.url('joss')}/api/v1/companies")
    other = signed_get(server)
    joss_row = f'tr[data-id="{joss.headers["x-mock-journal-id"]}"]'
    wait(browser, 2.0).until(lambda d: present(d, joss_row))
    other_row = f'tr[data-id="{other.headers["x-mock-journal-id"]}"]'
    assert not present(browser, other_row)


def test_the_clock_is_frozen_and_advanced_from_the_page(
    browser: Any, server: RunningServer
) -> None:
    browser.get(server.url("admin") + "/__admin/ui/controls")
    by_css(browser, "#freeze").click()
    wait(browser).until(lambda d: text(d, "#clock-mode") == "frozen")
    frozen = httpx.get(server.url("admin") + "/__admin/clock").json()
    assert frozen["frozen"] is True
    seconds = by_css(browser, "#advance-seconds")
    seconds.clear()
    seconds.send_keys("7200")
    by_css(browser, "#advance").click()
    later = frozen["now"][:19]
    wait(browser).until(lambda d: text(d, "#sandbox-now")[:19].replace(" ", "T") != later)
    after = httpx.get(server.url("admin") + "/__admin/clock").json()
    assert after["frozen"] is True
    from datetime import datetime

    moved = datetime.fromisoformat(after["now"][:19]) - datetime.fromisoformat(later)
    assert moved.total_seconds() == pytest.approx(7200, abs=1)
    assert text(browser, "#sandbox-now")[:19] == after["now"][:19].replace("T", " ")
    browser.save_screenshot(str(ARTIFACTS / "controls.png"))
    by_css(browser, "#resume").click()
    wait(browser).until(lambda d: text(d, "#clock-mode").startswith("running"))
    assert httpx.get(server.url("admin") + "/__admin/clock").json()["frozen"] is False


def test_a_fault_added_on_the_page_fails_the_next_request_in_the_providers_shape(
    browser: Any, server: RunningServer
) -> None:
    from selenium.webdriver.support.ui import Select

    browser.get(server.url("admin") + "/__admin/ui/controls")
    form = by_css(browser, "#add-fault")
    Select(by_css(form, "select[name=provider]")).select_by_visible_text("digitalent")
    Select(by_css(form, "select[name=preset]")).select_by_value("outage-503")
    by_css(form, "input[name=times]").send_keys("1")
    by_css(form, "button").click()
    wait(browser).until(lambda d: present(d, "tr[data-fault]"))
    failed = signed_get(server)
    assert failed.status_code == 503
    body = failed.json()
    assert body["success"] is False  # Digitalent's own error shape
    assert isinstance(body["message"], str)
    assert signed_get(server).status_code == 200  # it applied once only

    by_css(form, "button").click()  # another, removed from the page before it applies

    def fault_ids() -> list[str]:
        faults = httpx.get(server.url("admin") + "/__admin/faults").json()
        return [f["id"] for f in faults if f["remaining"]]  # the used-up one stays listed

    wait(browser).until(lambda d: fault_ids())
    pending = fault_ids()[0]
    remove = f'tr[data-fault="{pending}"] button'
    wait(browser).until(lambda d: present(d, remove))
    by_css(browser, remove).click()
    wait(browser).until(lambda d: not present(d, remove))
    assert fault_ids() == []
    assert signed_get(server).status_code == 200


def test_the_kyc_guided_flow_runs_to_validated(browser: Any, server: RunningServer) -> None:
    browser.get(server.url("admin") + "/__admin/ui/flows")
    by_css(browser, "#run-kyc").click()
    steps = "#flow-steps"
    wait(browser, 30).until(lambda d: by_css(d, steps).get_attribute("data-state") == "done")
    verdict = by_css(browser, "#flow-steps [data-verdict]")
    assert verdict.get_attribute("data-verdict") == "validated"
    steps = browser.execute_script("return document.querySelectorAll('#flow-steps .step').length")
    assert steps == 5
    frame = by_css(browser, "#flow-steps .step:last-child iframe")
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    browser.switch_to.frame(frame)
    try:
        wait(browser).until(lambda d: "Tervalidasi" in by_css(d, "body").text)
    finally:
        browser.switch_to.default_content()
    browser.save_screenshot(str(ARTIFACTS / "kyc-flow.png"))


@pytest.mark.parametrize("name", ["admin", *(p.name for p in PROVIDERS)])
def test_each_api_docs_page_shows_its_paths_offline(
    browser: Any, server: RunningServer, name: str
) -> None:
    if name == "admin":
        url, spec = "/__admin/docs", "/__admin/openapi.json"
    else:
        url, spec = f"/__admin/docs/{name}", f"/__admin/providers/{name}/openapi.json"
    paths = set(json.loads(httpx.get(server.url("admin") + spec).text)["paths"])
    browser.get(server.url("admin") + url)
    wait(browser, 15).until(lambda d: present(d, ".opblock-summary-path"))
    shown = set(
        browser.execute_script(
            "return [...document.querySelectorAll('.opblock-summary-path')]"
            ".map(e => e.dataset.path || e.textContent.replace(/\\u200b/g, ''))"
        )
    )
    assert paths <= shown, paths - shown
    browser.save_screenshot(str(ARTIFACTS / f"docs-{name}.png"))
