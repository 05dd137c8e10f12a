"""A real browser reads the built site: headless Chromium opens the German
article from a local HTTP server, follows the language switcher and lands on
the Spanish article, in Spanish, with the Spanish date.

Needs Debian's /usr/bin/chromium and /usr/bin/chromedriver (installed by
scripts/install-test-tools). Missing: a failure under CI=true, a skip elsewhere.
Selenium is told where both are, so selenium-manager never downloads anything.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bilingual.build import build_site
from bilingual.config import load_config
from tests.checkproject import run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "site"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = pytest.mark.browser


def unavailable(message: str) -> None:
    """A missing tool fails the run under CI=true and skips the test elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_browser():
    """Selenium's webdriver module, once Chromium and its driver are known present."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(p)
                                                             and os.access(p, os.X_OK))]
    if missing:
        unavailable(f"{', '.join(missing)} missing; scripts/install-test-tools installs "
                    "chromium and chromium-driver")
    try:
        from selenium import webdriver
    except ImportError:
        unavailable("selenium is not installed (pip install -e '.[test]')")
    return webdriver


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serving(site: Path) -> Iterator[str]:
    """`site` served on 127.0.0.1 by a thread; yields its URL."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def served_site(tmp_path):
    """The fixture site built and served; yields its URL."""
    site = tmp_path / "site"
    build_site(load_config(FIXTURE), output=site)
    with serving(site) as url:
        yield url


@pytest.fixture
def browser(tmp_path, monkeypatch):
    webdriver = require_browser()
    from selenium.webdriver.chrome.service import Service

    # Never let selenium-manager look for (or fetch) a browser or driver.
    monkeypatch.setenv("SE_OFFLINE", "true")
    profile = tmp_path / "chromium-profile"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_language_switcher_leads_from_the_german_to_the_spanish_article(browser, served_site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{served_site}/de/markteintritt-spanien/")
    html = browser.find_element(By.TAG_NAME, "html")
    assert html.get_attribute("lang") == "de"
    assert browser.find_element(By.CSS_SELECTOR, "article time").text == "15. September 2025"

    switch = browser.find_element(By.CSS_SELECTOR, 'nav.language-switcher a[hreflang="es"]')
    assert switch.text == "Español"
    switch.click()
    WebDriverWait(browser, 15).until(
        expected_conditions.url_to_be(f"{served_site}/es/entrada-en-espana/"))

    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Entrada en el mercado español"
    time = browser.find_element(By.CSS_SELECTOR, "article time")
    assert time.get_attribute("datetime") == "2025-09-15"
    assert time.text == "15 de septiembre de 2025"
    # And back again, through the switcher of the Spanish page.
    browser.find_element(By.CSS_SELECTOR, 'nav.language-switcher a[hreflang="de"]').click()
    WebDriverWait(browser, 15).until(
        expected_conditions.url_to_be(f"{served_site}/de/markteintritt-spanien/"))


def test_status_page_shows_progress_bars_counts_and_links(browser, served_site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{served_site}/_status/")
    robots = browser.find_element(By.CSS_SELECTOR, 'meta[name="robots"]')
    assert robots.get_attribute("content") == "noindex"

    def cell(article: str):
        return browser.find_element(
            By.CSS_SELECTOR, f'tr[data-article="content/de/{article}"] .status-cell[data-lang="es"]')

    # kartellrecht.po: 6 segments, 4 translated, 1 fuzzy, 1 missing (as `bilingual status` says).
    held = cell("kartellrecht.md")
    bar = held.find_element(By.TAG_NAME, "progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("4", "6")
    assert bar.is_displayed() and bar.size["width"] > 50
    assert held.find_element(By.CLASS_NAME, "fuzzy").text == "1"
    assert held.find_element(By.CLASS_NAME, "missing").text == "1"
    assert held.find_element(By.CLASS_NAME, "state").text == "held back"
    assert not held.find_elements(By.TAG_NAME, "a")  # no Spanish page to link to

    done = cell("markteintritt.md")
    assert done.find_element(By.CLASS_NAME, "percent").text == "100%"
    done.find_element(By.CSS_SELECTOR, ".state a").click()
    WebDriverWait(browser, 15).until(
        expected_conditions.url_to_be(f"{served_site}/es/entrada-en-espana/"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"


def test_pages_do_not_scroll_sideways_right_to_left_or_with_long_german_words(browser, tmp_path):
    # The skip link was moved 999rem to the left to hide it: on an Arabic page,
    # laid out right to left, the page could be scrolled 16,000 px sideways to
    # it. A German compound longer than a phone is wide did the same.
    root = tmp_path / "projekt"
    assert run_cli("init", str(root))[0] == 0
    config = root / "bilingual.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'target_languages = ["es"]', 'target_languages = ["es", "ar"]'), encoding="utf-8")
    (root / "content/de/steuer.md").write_text(
        "---\ntitle: Mehrwertsteuererstattungsverfahrensbeschleunigung\n---\n"
        "## Umsatzsteuervoranmeldungsfristverlängerungsantrag\n\n> Ein Zitat.\n",
        encoding="utf-8")
    assert run_cli("-C", str(root), "update")[0] == 0
    assert run_cli("-C", str(root), "build", "--drafts")[0] == 0
    browser.set_window_size(420, 800)
    with serving(root / "site") as url:
        for page in ("ar/willkommen/", "ar/steuer/", "de/steuer/", "ar/"):
            browser.get(f"{url}/{page}")
            wide, shown = browser.execute_script(
                "const e = document.documentElement; return [e.scrollWidth, e.clientWidth];")
            assert wide <= shown, page
        # The skip link still appears where the reader starts, once focused.
        browser.get(f"{url}/ar/willkommen/")
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        link = browser.switch_to.active_element
        assert link.get_attribute("class") == "skip-link"
        assert link.size["width"] > 20 and link.location["x"] > 200  # the right-hand side
