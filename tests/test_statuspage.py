"""The translation status page of the built site (`_status/index.html`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bilingual.build import build_site
from bilingual.config import load_config
from bilingual.statuspage import STATUS_PAGE
from tests.checkproject import run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "site"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("status") / "site"
    build_site(load_config(FIXTURE), output=site)
    return site


def cells(html: str) -> dict[tuple[str, str], dict[str, str]]:
    """(article, lang) -> the numbers and state a cell shows."""
    found = {}
    for row in re.finditer(r'<tr class="status-row" data-article="([^"]+)">(.*?)</tr>', html,
                           re.DOTALL):
        for cell in re.finditer(r'data-lang="(\w+)" data-state="([^"]+)">(.*?)</div>',
                                row.group(2), re.DOTALL):
            body = cell.group(3)
            values = {name: re.search(rf'class="{name}">(\d+)<', body).group(1)
                      for name in ("translated", "segments", "fuzzy", "missing")}
            bar = re.search(r'<progress value="(\d+)" max="(\d+)"', body)
            link = re.search(r'<span class="state"><a href="([^"]+)"', body)
            found[(row.group(1), cell.group(1))] = {
                **values, "state": cell.group(2), "bar": bar.groups(),
                "href": link.group(1) if link else None}
    return found


def test_counts_are_those_of_bilingual_status(built: Path) -> None:
    html = (built / STATUS_PAGE).read_text(encoding="utf-8")
    code, out, _ = run_cli("-C", str(FIXTURE), "status", "--format", "json")
    assert code == 0
    rows = json.loads(out)["articles"]
    shown = cells(html)
    assert len(shown) == len(rows) == 5
    for row in rows:
        cell = shown[(row["article"], row["lang"])]
        assert cell["state"] == row["state"]
        assert (int(cell["translated"]), int(cell["segments"]), int(cell["fuzzy"]),
                int(cell["missing"])) == (row["translated"], row["segments"], row["fuzzy"],
                                          row["untranslated"])
        assert cell["bar"] == (str(row["translated"]), str(row["segments"]))
    assert shown[("content/de/kartellrecht.md", "es")]["state"] == "held back"


def test_links_lead_to_every_built_version_and_none_to_unbuilt_ones(built: Path) -> None:
    html = (built / STATUS_PAGE).read_text(encoding="utf-8")
    shown = cells(html)
    assert shown[("content/de/markteintritt.md", "es")]["href"] == "../es/entrada-en-espana/"
    assert shown[("content/de/blog/kooperation.md", "es")]["href"] == "../es/blog/cooperacion/"
    assert shown[("content/de/kartellrecht.md", "es")]["href"] is None
    assert '<a href="../de/kartellrecht/" hreflang="de">content/de/kartellrecht.md</a>' in html
    for href in re.findall(r'href="([^"]+)"', html):
        assert (built / "_status" / href).resolve().exists(), href


def test_noindex_unlinked_and_not_in_the_sitemap(built: Path) -> None:
    html = (built / STATUS_PAGE).read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in html
    assert 'hreflang="x-default"' not in html and 'rel="canonical"' not in html
    assert "_status" not in (built / "sitemap.xml").read_text(encoding="utf-8")
    for page in built.rglob("*.html"):
        if page.parent.name != "_status":
            assert "_status" not in page.read_text(encoding="utf-8"), page
    code, out, _ = run_cli("-C", str(FIXTURE), "check", "--site", str(built), "--format", "json")
    site_findings = [f for f in json.loads(out)["findings"]
                     if f["code"] == "site" and "_status" in f["file"]]
    assert site_findings == []


def test_a_project_template_replaces_the_built_in_one(make_project, tmp_path: Path) -> None:
    root = make_project({
        "content/de/a.md": "---\ntitle: A\n---\nText.\n",
        "templates/status.html": "<html lang=\"de\"><p>{% for row in rows %}{{ row.article }}: "
                                 "{% for c in row.cells %}{{ c.lang }} {{ c.percent }}%"
                                 "{% endfor %}{% endfor %}</p></html>\n"})
    site = tmp_path / "out"
    build_site(load_config(root), output=site)
    assert (site / STATUS_PAGE).read_text() == '<html lang="de"><p>content/de/a.md: es 0%</p></html>\n'


def test_a_broken_status_template_fails_the_build_naming_it(make_project, tmp_path: Path,
                                                            monkeypatch) -> None:
    # The status page is made in a worker process beside the pages (on several
    # cores); its error reaches the user the same way in either case.
    root = make_project({
        "content/de/a.md": "---\ntitle: A\n---\nText.\n",
        "templates/status.html": "<p>{{ rows | nosuchfilter }}</p>\n"})
    for jobs in ("1", "2"):
        monkeypatch.setenv("BILINGUAL_JOBS", jobs)
        code, _, errors = run_cli("-C", str(root), "build")
        assert code == 1, errors
        assert "status.html" in errors and "nosuchfilter" in errors
        assert not (root / "site").exists()
