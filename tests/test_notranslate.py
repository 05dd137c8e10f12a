"""`<!-- notranslate -->` ... `<!-- /notranslate -->`: a passage an author keeps
out of the catalogs (docs/authors.md)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from bilingual.render import render_markdown
from bilingual.segment import rebuild_markdown, segment_document
from bilingual.sources import parse_source

ARTICLE = """\
---
title: Titel
---
Vorher.

<!-- notranslate -->
Ein Zitat, das Deutsch bleibt.

- auch dieser Punkt
<!-- /notranslate -->

- Nachher.

> <!-- NoTranslate -->
> Im Zitat bleibt es.
> <!-- /notranslate -->
"""


def doc():
    return parse_source(ARTICLE, PurePosixPath("x.md"), "de", Path("x.md"))


def test_the_passage_yields_no_segments() -> None:
    segmented = segment_document(doc())
    assert [s.msgid for s in segmented.segments] == ["Titel", "Vorher.", "Nachher."]
    # The skeleton still rebuilds the article byte for byte.
    assert rebuild_markdown(segmented, lambda msgid, ctx: None) == doc().body


def test_the_passage_renders_unchanged_and_the_rest_translated() -> None:
    html = render_markdown(doc().body, lambda msgid, ctx: "ES " + msgid)
    assert "<p>ES Vorher.</p>" in html and "<li>ES Nachher.</li>" in html
    assert "<p>Ein Zitat, das Deutsch bleibt.</p>" in html
    assert "<li>auch dieser Punkt</li>" in html and "Im Zitat bleibt es." in html
    assert "ES Ein Zitat" not in html and "ES Im Zitat" not in html
    # The markers stay in the page as invisible HTML comments.
    assert "<!-- notranslate -->" in html and "<!-- /notranslate -->" in html


def test_without_the_closing_marker_the_rest_of_the_article_is_kept() -> None:
    text = "Eins.\n\n<!-- notranslate -->\n\nZwei.\n\nDrei.\n"
    source = parse_source(text, PurePosixPath("y.md"), "de", Path("y.md"))
    assert [s.msgid for s in segment_document(source).segments] == ["Eins."]
