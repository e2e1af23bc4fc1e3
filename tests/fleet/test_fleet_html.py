"""The HTML report opened in a real browser (Debian's chromium, driven by chromedriver):
the chart shows a bar per template version scaled to its count, every team has its table
with its projects, and the page loads nothing from anywhere (no scripts, fonts or images)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from tests.fleet.conftest import Fleet, report_of, run_fleet

pytestmark = pytest.mark.slow

# Debian's chromium and chromium-driver (.ci/run installs them); GitHub's runners carry
# Google Chrome and its chromedriver instead.
CHROMIUM = shutil.which("chromium") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
# No network from the browser: the page must stand alone (and this machine's network is closed).
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,2000",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    install = "install Debian's chromium and chromium-driver (.ci/run does)"
    assert CHROMIUM, f"no chromium on PATH: {install}"
    assert CHROMEDRIVER, f"no chromedriver on PATH: {install}"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def test_the_page_shows_the_chart_and_a_table_per_team(
    fleet: Fleet, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    page = tmp_path / "fleet-report.html"
    done = run_fleet(fleet, "--format", "html", "--output", str(page))
    assert done.returncode == 1, done.stderr  # the fleet breaks the policy, as built
    _, report = report_of(fleet)
    browser.get(page.as_uri())
    browser.save_screenshot(str(tmp_path / "fleet-report.png"))

    bars = browser.find_elements(By.CSS_SELECTOR, "#versions-chart g.version")
    shown = {bar.get_attribute("data-version"): bar for bar in bars}
    assert {v: int(b.get_attribute("data-count") or 0) for v, b in shown.items()} == report[
        "summary"
    ]["by_version"]
    widths = {v: b.find_element(By.TAG_NAME, "rect").rect["width"] for v, b in shown.items()}
    counts = report["summary"]["by_version"]
    assert all(width > 0 for width in widths.values())
    for one in counts:  # drawn to scale: a larger count is a longer bar
        for other in counts:
            if counts[one] > counts[other]:
                assert widths[one] > widths[other], (one, other, widths)
    for version, bar in shown.items():
        assert bar.find_element(By.TAG_NAME, "text").text == version

    tables = browser.find_elements(By.CSS_SELECTOR, "table.team-table")
    by_team = {
        table.get_attribute("data-team"): sorted(
            row.get_attribute("data-project") or ""
            for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
        )
        for table in tables
    }
    expected: dict[str, list[str]] = {}
    for project in fleet.projects:
        expected.setdefault(project.team or "(no team in the inventory)", []).append(project.name)
    assert by_team == {team: sorted(names) for team, names in expected.items()}
    assert all(table.is_displayed() and table.rect["height"] > 0 for table in tables)
    unreachable = browser.find_element(By.CSS_SELECTOR, 'tr[data-project="decommissioned"]')
    assert "does not appear to be a git repository" in unreachable.text
    assert "Policy broken by" in browser.find_element(By.ID, "verdict").text

    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert browser.find_elements(By.TAG_NAME, "script") == []
    assert browser.find_elements(By.CSS_SELECTOR, "link, img, iframe, object") == []
