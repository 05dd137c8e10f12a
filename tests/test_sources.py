"""Reading articles: safe front matter, real dates, file:line errors, sorted walks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path, PurePosixPath

import pytest

from bilingual.config import load_config
from bilingual.errors import SourceError
from bilingual.sources import (
    article_files,
    article_paths,
    content_files,
    content_name_warnings,
    decode_text,
    misspelt_fields,
    parse_source,
    read_sources,
)


def parse(text):
    return parse_source(text, PurePosixPath("a.md"), "de", Path("content/de/a.md"))


def test_front_matter_fields_and_body_line():
    doc = parse("---\ntitle: Markt\ndate: 2025-09-15\ntags: [Recht, 2025]\n---\nText\n")
    assert doc.title == "Markt"
    assert doc.date == dt.date(2025, 9, 15)
    assert doc.meta["tags"] == ("Recht", "2025")
    assert doc.body == "Text\n"
    assert doc.body_line == 6
    assert doc.meta_lines["tags"] == 4


def test_text_fields_are_read_without_the_whitespace_around_them():
    # YAML block scalars keep their final line break ("clip"); quoted values
    # may carry blanks. Catalogs and pages take the text without either.
    doc = parse("---\ntitle: |\n  Ein Titel\ndescription: >\n  Eine lange\n  Beschreibung\n"
                'tags: ["  Reise ", "Recht\\n", 2025]\nauthor: >-\n  Ana\n'
                'image: " /bild.png "\nslug: " markt "\n---\nText\n')
    assert doc.title == "Ein Titel"
    assert doc.meta["description"] == "Eine lange Beschreibung"
    assert doc.meta["tags"] == ("Reise", "Recht", "2025")
    assert (doc.meta["author"], doc.meta["image"], doc.meta["slug"]) == ("Ana", "/bild.png",
                                                                        "markt")
    # A line break inside a literal block stays: only the edges are trimmed.
    assert parse("---\ndescription: |\n  Eins\n  Zwei\n---\n").meta["description"] == \
        "Eins\nZwei"


def test_fields_bilingual_does_not_read_are_named_when_they_look_like_one_it_does():
    doc = parse("---\ntitle: Markt\nTags: [Recht]\ndescripton: Kurz\nweight: 3\n"
                "Beschreibung: Lang\ntranslation-of: x.md\nlayout: wide\nslugs: m\n---\n")
    assert misspelt_fields(doc) == (("Tags", "tags", 3), ("descripton", "description", 4),
                                    ("Beschreibung", "description", 6),
                                    ("translation-of", "translation_of", 7), ("slugs", "slug", 9))
    assert misspelt_fields(parse("---\ntitle: Markt\ntags: [a]\nsummary: x\n---\n")) == ()


@pytest.mark.parametrize(("text", "first"), [
    # Blanks after the `---` lines: was a thematic break and a setext heading of
    # the fields, published and sent to translators (opening), or "never
    # closed" (closing).
    ("--- \ntitle: Steuern\ndate: 2025-09-15\n---\nText.\n", 1),
    ("---\ntitle: Steuern\ndate: 2025-09-15\n--- \t\nText.\n", 1),
    # YAML's document end marker closes front matter too (was: "never closed").
    ("---\ntitle: Steuern\ndate: 2025-09-15\n...\nText.\n", 1),
    # Blank lines before the opening `---` are skipped, as Hugo skips them
    # (was: published as text).
    ("\n \n---\ntitle: Steuern\ndate: 2025-09-15\n---\nText.\n", 3),
])
def test_front_matter_lines_as_editors_and_yaml_write_them(text, first):
    doc = parse(text)
    assert (doc.title, doc.date) == ("Steuern", dt.date(2025, 9, 15))
    assert (doc.body, doc.body_line) == ("Text.\n", first + 4)
    assert dict(doc.meta_lines) == {"title": first + 1, "date": first + 2}


CONFLICT = "<<<<<<< HEAD\nÄrger über Öl.\n=======\nÄrger über Fett.\n>>>>>>> feature\n"


@pytest.mark.parametrize(("text", "line", "marker"), [
    # Was published as a heading ("=======" is a setext underline) and nested
    # quotes, and both sides sent to translators.
    (f"---\ntitle: x\n---\nEin Absatz.\n\n{CONFLICT}", 6, "<<<<<<<"),
    (CONFLICT, 1, "<<<<<<<"),
    # In front matter: was "field 'title' appears twice".
    ("---\n<<<<<<< HEAD\ntitle: Öl\n=======\ntitle: Fett\n>>>>>>> feature\n---\n", 2,
     "<<<<<<<"),
    # Half resolved: the first marker and the separator removed, the last forgotten.
    ("---\ntitle: x\n---\nÄrger über Öl.\n>>>>>>> feature\n", 5, ">>>>>>>"),
    # A conflict around the opening line of the front matter.
    ("<<<<<<< HEAD\n---\ntitle: a\n---\n=======\n---\ntitle: b\n---\n>>>>>>> x\n", 1,
     "<<<<<<<"),
    # After a fenced code block, the marker is outside it.
    (f"```\ngit merge\n```\n{CONFLICT}", 4, "<<<<<<<"),
])
def test_an_unresolved_merge_conflict_is_refused_at_its_marker(text, line, marker):
    with pytest.raises(SourceError) as raised:
        parse(text)
    assert raised.value.format_message() == (
        f"content/de/a.md:{line}: unresolved merge conflict (git's {marker} marker); resolve it")


def test_merge_conflict_markers_in_code_blocks_are_text():
    # A tutorial about git shows them: in a fenced or an indented code block.
    fenced = f"---\ntitle: Git\n---\n```text\n{CONFLICT}```\n"
    assert parse(fenced).body == f"```text\n{CONFLICT}```\n"
    indented = "Ein Konflikt:\n\n" + "".join(f"    {line}\n" for line in CONFLICT.splitlines())
    assert parse(indented).body == indented
    # In raw HTML, published as written: a `<pre>` block.
    pre = f"So sieht er aus:\n\n<pre>\n{CONFLICT}</pre>\n"
    assert parse(pre).body == pre
    # In a list item's fence the markers are indented, so no markers at all.
    assert parse("- Schritt:\n\n  ```\n  <<<<<<< HEAD\n  ```\n").body.startswith("- ")


def test_quoted_date_is_a_date_too():
    assert parse('---\ndate: "2025-01-02"\n---\n').date == dt.date(2025, 1, 2)


@pytest.mark.parametrize(("text", "line", "words"), [
    # An unclosed bracket or quote is named where it opens, not where YAML notices it.
    ("---\ntitle: [unclosed\n---\n", 2, "flow sequence that starts here"),
    ('---\ntitle: "Kaputt\ndate: 2025-09-21\n---\n', 2,
     "quoted scalar that starts here: found unexpected end of stream on line 4"),
    ("---\ntitle: K\ntags: [a, b\ndate: 2025-09-21\n---\n", 3,
     "expected ',' or ']', but got ':' on line 4"),
    ("---\ntitle: K\n  bad: indent\n---\n", 3, "mapping values are not allowed here"),
    ("---\ntitle: x\ndate: 2025-02-30\n---\n", 3, "not a possible date"),
    ("---\ntitle: x\ndate: morgen\n---\n", 3, "not a date"),
    # No time zone is 99 hours off: named at its line (was line 2, with Python's
    # timedelta text). Only YYYY-MM-DD is a date, as authors.md says.
    ("---\ntitle: x\ndescription: D\ndate: 2025-01-01T10:00:00+99:00\n---\n", 4,
     "front matter 'date' is not a date (YYYY-MM-DD): '2025-01-01T10:00:00+99:00'"),
    ("---\ntitle: x\ndate: 20250915\n---\n", 3, "'date' is not a date (YYYY-MM-DD): '20250915'"),
    ("---\ntitle: x\nupdated: 2025-W38-1\n---\n", 3, "'updated' is not a date (YYYY-MM-DD)"),
    ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
    ("---\ntitle: !!python/object/apply:os.system [echo hi]\n---\n", 2, "not valid YAML"),
    ('---\ntitle: x\ndraft: "false"\n---\n', 3, "'draft' must be true or false"),
    ("---\ntitle: x\ndraft: no way\n---\n", 3, "'draft' must be true or false"),
    # YAML 1.1 booleans are not taken for `true` or `false`: the docs promise those only.
    ("---\ntitle: x\ndraft: yes\n---\n", 3, "'draft' must be true or false, not 'yes'"),
    ("---\ntitle: x\ndraft: off\n---\n", 3, "'draft' must be true or false, not 'off'"),
    ("---\ntitle: Hallo\ndate: 2025-09-15\nText.\n", 1, "never closed"),
    ("---", 1, "never closed"),
    ("\n\n---\ntitle: Hallo\n", 3, "never closed"),
    # Hugo's TOML front matter: was published as a paragraph of its fields.
    ("+++\ntitle = 'Steuern'\ndate = 2025-09-15\n+++\nText.\n", 1,
     "TOML front matter (+++) is not read; write YAML between --- lines"),
    ("\n+++\ntitle = 'Steuern'\n+++\n", 2, "TOML front matter (+++)"),
    # Lines of fields after blank lines are the file's lines.
    ("\n\n---\ntitle: x\ndate: morgen\n---\n", 5, "'date' is not a date"),
    ("---\ntitle: x\ndate: 2025-09-15\ntitle: y\n---\n", 4, "'title' appears twice (first on line 2)"),
    ("---\ntitle: x\nauthor: [a, b]\n---\n", 3, "'author' must be text"),
    ("---\ntitle: x\nimage: {src: a.png}\n---\n", 3, "'image' must be text"),
    ("---\ntitle: x\ntags: [Recht, null]\n---\n", 3, "'tags' must be a list of words"),
    ('---\ntitle: x\ntags: [Recht, ""]\n---\n', 3,
     "'tags' holds an empty tag (entry 2); give it a name or remove it"),
    ("---\ntitle: x\ndate: 2025-09-15\ntags:\n  - '  '\n  - Recht\n---\n", 4,
     "'tags' holds an empty tag (entry 1)"),
    ('---\ntitle: x\ntags: "\\t"\n---\n', 3, "'tags' holds an empty tag (entry 1)"),
    # Its tag page's folder would be named after it: no file system takes 280 bytes.
    (f"---\ntitle: x\ntags: [Recht, {'t' * 280}]\n---\n", 3,
     "'tags' holds a tag of 280 bytes ('" + "t" * 40 + "'…); 200 is the most"),
])
def test_bad_front_matter_names_file_and_line(text, line, words):
    with pytest.raises(SourceError) as raised:
        parse(text)
    assert raised.value.format_message().startswith(f"content/de/a.md:{line}: ")
    assert words in raised.value.format_message()


def test_plain_values_are_the_text_written_not_what_yaml_1_1_makes_of_them():
    # PyYAML's YAML 1.1 rules read `Off` as False and `1.10` as 1.1: the
    # catalog, the heading and the tag pages showed the author something else.
    doc = parse("---\ntitle: Off\ndescription: 1.10\ntags: [NO, 3.10, 2025, On]\n"
                "author: Yes\nslug: '0x10'\n---\n")
    assert (doc.title, doc.meta["description"], doc.meta["tags"], doc.meta["author"]) == (
        "Off", "1.10", ("NO", "3.10", "2025", "On"), "Yes")
    assert doc.meta["slug"] == "0x10"
    # A date is text too, except in the date fields (was: "'slug' must be text").
    doc = parse("---\ntitle: 2025-09-15\nslug: 2025-09-15\ntags: [2025-09-15]\n"
                "date: 2025-09-15T10:00:00+02:00\n---\n")
    assert (doc.title, doc.meta["slug"], doc.meta["tags"], doc.date) == (
        "2025-09-15", "2025-09-15", ("2025-09-15",), dt.date(2025, 9, 15))
    # YAML 1.1's value and merge keys: "could not determine a constructor for
    # the tag 'tag:yaml.org,2002:value'", about a tag no author wrote.
    doc = parse("---\ntitle: =\ndescription: <<\ntags: [=, <<]\n---\n")
    assert (doc.title, doc.meta["description"], doc.meta["tags"]) == ("=", "<<", ("=", "<<"))
    # As a key, `<<` would merge a mapping in YAML 1.1: refused, not ignored.
    with pytest.raises(SourceError) as raised:
        parse("---\ntitle: x\n<<: {author: Redaktion}\n---\n")
    assert raised.value.format_message() == (
        "content/de/a.md:3: front matter: the YAML merge key '<<' is not supported; write "
        "the fields themselves")
    assert parse("---\ntitle: x\ndraft: TRUE\ndate: 2025-01-02\nweight: ~\n---\n").meta == {
        "title": "x", "draft": True, "date": dt.date(2025, 1, 2), "weight": None}


def test_draft_is_a_yes_or_no():
    assert parse("---\ntitle: x\ndraft: true\n---\n").draft is True
    assert parse("---\ntitle: x\ndraft: false\n---\n").draft is False
    assert parse("---\ntitle: x\n---\n").draft is False


def test_binary_and_bad_encoding_are_refused():
    with pytest.raises(SourceError, match="binary"):
        decode_text(b"\x89PNG\x00\x00", Path("x.md"))
    with pytest.raises(SourceError, match=r"x.md:2: not UTF-8"):
        decode_text(b"ok\n\xff\n", Path("x.md"))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_named_as_such(encoding):
    # Notepad's "Unicode", with a byte order mark (utf-16) or without: was
    # "binary file (contains NUL bytes), not a Markdown article".
    data = "---\ntitle: Ärger\n---\nÄrger über Öl.\n".encode(encoding)
    with pytest.raises(SourceError) as raised:
        decode_text(data, Path("content/de/a.md"))
    assert raised.value.format_message() == "content/de/a.md:1: UTF-16 text; save it as UTF-8"
    # Binary files with NUL bytes here and there are still binary.
    with pytest.raises(SourceError, match="binary"):
        decode_text(bytes(range(256)) * 4, Path("x.md"))


def test_bom_and_crlf_are_normalised():
    assert decode_text("\ufeffa\r\nb\r\n".encode(), Path("x.md")) == "a\nb\n"


def test_walk_is_sorted_and_skips_hidden_files(tmp_path):
    for name in ("b.md", "a.md", "sub/c.md", ".hidden.md", "_ui.md", "notes.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# x\n", encoding="utf-8")
    docs = read_sources(tmp_path, "de")
    assert [str(d.key) for d in docs] == ["a.md", "b.md", "sub/c.md"]


def test_articles_are_files_and_links_to_files_inside_content(tmp_path):
    # Told apart by the directory listing alone; a link is followed.
    content = tmp_path / "content"
    (content / "sub").mkdir(parents=True)
    (content / "a.md").write_text("# a\n", encoding="utf-8")
    (content / "sub" / "b.md").symlink_to(content / "a.md")
    (content / "folder.md").mkdir()
    (content / "dangling.md").symlink_to(content / "gone.md")
    (content / "linked-folder.md").symlink_to(content / "sub")
    os.mkfifo(content / "pipe.md")
    assert [p.relative_to(content).as_posix() for p in article_paths(content)] == \
        ["a.md", "sub/b.md"]
    assert article_files(content) == [str(path) for path in article_paths(content)]
    assert article_files(content, content_files(content)) == article_files(content)


def test_names_warned_of_from_a_listing_are_those_of_a_walk(make_project):
    # `update` walks the content folder once, for its articles and these warnings.
    root = make_project({f"content/de/{name}": "# x\n" for name in (
        "Bericht.md", "bericht.md", "was?.md", "Gross.MD", "sub/x.markdown", "sub/a.md",
        ".alt.markdown", "_entwurf/b.MD", "bild.png")})
    content = root / "content" / "de"
    os.mkfifo(content / "pipe.markdown")
    (content / "link.MD").symlink_to(content / "Bericht.md")
    config = load_config(root)
    walked = content_name_warnings(config)
    assert len(walked) == 5
    assert content_name_warnings(config, listed={content: content_files(content)}) == walked


@pytest.mark.parametrize(("name", "shown"), [
    ("x\ny.md", "x\\ny.md"), ("tab\there.md", "tab\\there.md"),
    (os.fsdecode(b"b\xe4d.md"), "b\\udce4d.md")])
def test_a_file_name_with_a_line_break_or_a_byte_that_is_not_utf8_is_refused(tmp_path, name,
                                                                              shown):
    # It became a `#:` line of its catalog split in two, which msgfmt -c rejects.
    content = tmp_path / "content"
    content.mkdir()
    (content / name).write_text("Text.\n", encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        read_sources(content, "de")
    assert raised.value.format_message() == (
        f"{content}/{shown}: the file name holds a line break, a control character or a byte "
        "that is not UTF-8; rename the file")


def test_symlink_leaving_content_is_refused(tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("geheim\n", encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    (content / "link.md").symlink_to(outside)
    with pytest.raises(SourceError, match="outside the content folder"):
        read_sources(content, "de")


def test_libyaml_and_the_python_loader_read_front_matter_alike():
    # Front matter is read with libyaml when present; its data must be what the
    # pure-Python loader (which gives the error messages) reads.
    import yaml

    from bilingual.sources import _FAST_LOADER, _FrontMatterLoader, split_front_matter

    assert _FAST_LOADER is not None, "PyYAML without libyaml: front matter is read slowly"
    samples = [split_front_matter(p.read_text(encoding="utf-8"))[0]
               for p in sorted(Path(__file__).parent.parent.glob("content/de/*.md"))]
    samples += ["title: 'Zitat: „x“'\ndate: 2025-03-18\ntags: [a, 1, 2.5]\ndraft: yes\n",
                "description: >\n  gefaltet\n  Text\nupdated: 2025-03-18 10:00:00\n"]
    for text in samples:
        assert yaml.load(text, Loader=_FAST_LOADER) == yaml.load(text, Loader=_FrontMatterLoader)


def test_a_text_field_of_nothing_a_reader_sees_is_empty():
    # The pages leave control characters out: a title of them was an empty
    # `<h1>`, a tag an empty link to a tag page named after a digest.
    doc = parse('---\ntitle: "\\x01"\nauthor: " \\u200b\\x03 "\ndescription: "\\x7fA"\n---\n')
    assert (doc.title, doc.meta["author"], doc.meta["description"]) == ("", "", "\x7fA")
    with pytest.raises(SourceError, match="'tags' holds an empty tag \\(entry 1\\)"):
        parse('---\ntitle: T\ntags: ["\\x02", Recht]\n---\n')



def test_a_rule_after_blank_lines_is_front_matter_only_when_fields_follow():
    # An article without front matter between two rules was published as
    # rule, text, rule; read as front matter after blank lines, it failed
    # with "front matter must be a mapping".
    poem = "\n---\n\nEin Gedicht ohne Kopf.\n\n---\n\nEnde.\n"
    assert (parse(poem).meta, parse(poem).body) == ({}, poem)
    assert parse("\n---\n# Kopf\ntitle: T\n---\nText.\n").title == "T"
