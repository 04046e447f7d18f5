"""The validation page in a real headless browser (Debian's chromium driven by Selenium), clicking
through the operator's flow against the real server. Skipped, saying why, without a browser:
``sudo apt-get install chromium chromium-driver`` and ``pip install -e '.[test]'``."""

import httpx
import pytest

from tests.browser import CHROMEDRIVER, CHROMIUM, needs_chromium
from tests.providers.kyc.reference import DEMO, TOKEN_PATH, agent_payload, client_key_pair
from tests.server import running_server

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
pytestmark = needs_chromium


@pytest.fixture
def browser(tmp_path):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def validation_url(base: str) -> str:
    token = httpx.post(base + TOKEN_PATH, data=DEMO).json()["access_token"]
    response = httpx.post(
        f"{base}/kyc/v1/generate-url",
        content=agent_payload(client_key_pair()[1]),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return response.json()["data"]["url"]


def test_the_operator_clicks_through_to_validated(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    with running_server(None) as server:
        url = validation_url(server.url("kyc"))
        browser.get(url)
        assert browser.find_element(By.ID, "agent-name").text == "Bambang Wisanggeni"
        wait = WebDriverWait(browser, 10)

        browser.find_element(By.ID, "nik").send_keys("3171014101900001")
        browser.find_element(By.ID, "name").send_keys("Budi Santoso")
        browser.find_element(By.ID, "request-code").click()
        code_shown = wait.until(ec.visibility_of_element_located((By.ID, "ssm-code")))
        code = code_shown.text
        assert len(code) == 6
        assert code.isdigit()
        assert browser.find_element(By.ID, "ssm-name").text == "Budi Santoso"

        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        browser.find_element(By.ID, "code").send_keys(wrong)
        browser.find_element(By.ID, "verify").click()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-verdict"))
        assert "salah" in browser.find_element(By.ID, "verdict").text

        field = browser.find_element(By.ID, "code")
        field.clear()
        field.send_keys(code)
        browser.find_element(By.ID, "verify").click()
        wait.until(
            lambda d: (
                d.find_element(By.TAG_NAME, "body").get_attribute("data-verdict") == "validated"
            )
        )
        assert "Tervalidasi" in browser.find_element(By.ID, "verdict").text

        token = url.rsplit("/", 1)[1]
        session = httpx.get(f"{server.url('admin')}/__admin/kyc/sessions/{token}").json()
        assert session["status"] == "validated"
        assert session["last_verdict"] == "validated"


def test_an_unknown_link_shows_a_clear_page(browser):
    from selenium.webdriver.common.by import By

    with running_server(None) as server:
        browser.get(f"{server.url('kyc')}/kyc/v1/validation-web/not-a-token")
        assert "tidak dikenal" in browser.find_element(By.ID, "unusable").text
