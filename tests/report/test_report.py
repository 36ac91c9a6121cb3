"""The report page: self-contained, one typesetting of units, each reference once; and,
in a real browser (headless Chromium), every image decodes, no console errors and no
network requests.  The report is written once per session (slow: about 15 s)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from nuem import report

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    return report.write_report(out, progress=False)


def test_report_is_one_self_contained_file(page):
    text = page.read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]*)"', text)
    assert len(refs) >= 8  # images and the two PDFs
    assert all(r.startswith("data:") for r in refs), [r[:40] for r in refs if not r.startswith("data:")]
    # the page alone, copied elsewhere, carries everything
    assert text.count("data:image/png;base64,") >= 6
    assert text.count("data:application/pdf;base64,") == 2


def test_units_typeset_one_way(page):
    text = re.sub(r'data:[^"]+', "", page.read_text(encoding="utf-8"))
    assert "mu_B" not in text and "mu_eff" not in text
    assert "&mu;<sub>B</sub>" in text


def test_references_are_unique(page):
    text = page.read_text(encoding="utf-8")
    refs = re.findall(r"<li>(.*?)</li>", text.split("References used")[1], flags=re.S)
    assert len(refs) > 10
    assert len(set(refs)) == len(refs)
    # no journal reference twice (Wolfenstein 1978 used to appear alone and inside MSW)
    journals = [j for r in refs for j in re.findall(r"[A-Z][A-Za-z. ]+ \d+, \d+ \(\d{4}\)", r)]
    assert len(set(journals)) == len(journals), sorted(journals)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_report_in_a_real_browser(page, tmp_path):
    """Headless Chromium opens the page offline (file://): every image decodes, no console
    errors, no request leaves the page; a full-page screenshot is saved (NUEM_SCREENSHOT
    names where, default beside the page)."""
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed in CI (.ci/run installs it)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (the test extra)")
    errors, requests = [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        tab = ctx.new_page()
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("request", lambda r: None if r.url.startswith(("data:", "file:"))
               else requests.append(r.url))
        tab.goto(page.as_uri(), wait_until="load")
        sizes = tab.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
        shot = Path(os.environ.get("NUEM_SCREENSHOT", page.parent / "screenshot.png"))
        tab.screenshot(path=str(shot), full_page=True)
        height = tab.evaluate("document.body.scrollHeight")
        browser.close()
    assert len(sizes) >= 6
    assert all(c and w > 0 and h > 0 for c, w, h in sizes), sizes
    assert errors == []
    assert requests == []
    assert shot.stat().st_size > 50_000 and height > 3000
