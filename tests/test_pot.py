"""`bilingual update --pot`: templates that msginit and Weblate start a language from."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polib
import pytest

from bilingual.catalog import parse_catalog, read_catalog
from tests.checkproject import make_project, run_cli
from tests.conftest import gettext_tool, msgfmt_check

NESTED = "---\ntitle: Verschachtelt\n---\nIm Unterordner.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    (root / "content/de/blog").mkdir()
    (root / "content/de/blog/tief.md").write_text(NESTED, encoding="utf-8")
    return root


def pot_update(root: Path) -> str:
    code, out, err = run_cli("-C", str(root), "update", "--pot")
    assert code == 0, out + err
    return out


def templates(root: Path) -> dict[str, Path]:
    folder = root / "locales/templates"
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*.pot"))}


def creation_date(path: Path) -> str:
    return re.search(r'"POT-Creation-Date: ([^"]*)\\n"', path.read_text()).group(1)


def test_one_template_per_article_and_one_for_the_ui(project: Path) -> None:
    code, out, _ = run_cli("-C", str(project), "update")
    assert code == 0 and not (project / "locales/templates").exists()  # only with --pot
    out = pot_update(project)
    assert sorted(templates(project)) == ["_ui.pot", "blog/tief.pot", "hund.pot", "katze.pot"]
    assert "wrote locales/templates/hund.pot" in out
    # The closing line counts them too (it said "0 written" after four lines "wrote …").
    assert ", 0 written, 4 templates written in " in out
    assert ", 0 templates written in " in pot_update(project)
    # The same entries, in the same order, as the Spanish catalog; no translation.
    pot = (project / "locales/templates/hund.pot").read_text(encoding="utf-8")
    po = read_catalog(project / "locales/es/LC_MESSAGES/hund.po")
    assert [(e.msgctxt, e.msgid) for e in po] == [
        (e.msgctxt, e.msgid) for e in _parse_pot(pot)]
    assert all(not e.msgstr for e in _parse_pot(pot))
    assert "#, fuzzy\nmsgid \"\"" in pot and '"Language: \\n"' in pot
    assert "Plural-Forms" not in pot


def _parse_pot(text: str):
    # The strict parser wants Plural-Forms for plural entries; article POTs have none.
    return parse_catalog(text, "x.pot")


def test_templates_pass_msgfmt_and_msgcat_and_msginit_starts_a_language(project: Path,
                                                                        tmp_path: Path) -> None:
    msgcat, msginit = gettext_tool("msgcat"), gettext_tool("msginit")
    pot_update(project)
    for name, path in templates(project).items():
        check = msgfmt_check(path)
        assert check.returncode == 0, check.stderr
        resaved = subprocess.run([msgcat, str(path)], capture_output=True, check=True).stdout
        assert resaved == path.read_bytes(), name
        started = tmp_path / f"{name.replace('/', '_')}.fr.po"
        subprocess.run([msginit, "--no-translator", "-l", "fr", "-i", str(path),
                        "-o", str(started)], capture_output=True, check=True)
        check = msgfmt_check(started)
        assert check.returncode == 0, check.stderr
        text = started.read_text(encoding="utf-8")
        assert '"Language: fr\\n"' in text
        assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in text
    ui = (tmp_path / "_ui.pot.fr.po").read_text(encoding="utf-8")
    assert 'msgid_plural "%(count)s minutes"' in ui
    # The flags of the UI catalog, so a language started from the POT has its
    # placeholders checked by msgfmt -c, Poedit and Weblate from the start.
    flagged = {e.msgid for e in polib.pofile(str(tmp_path / "_ui.pot.fr.po"))
               if "python-format" in e.flags}
    assert flagged == {e.msgid for e in read_catalog(project / "locales/es/LC_MESSAGES/_ui.po")
                       if "python-format" in e.flags}
    assert {"Hello %(name)s", "%(count)s minute"} <= flagged
    started = tmp_path / "_ui.pot.fr.po"
    started.write_text(ui.replace('msgid "Hello %(name)s"\nmsgstr ""',
                                  'msgid "Hello %(name)s"\nmsgstr "Salut %(nom)s"'))
    assert "Salut %(nom)s" in started.read_text()
    assert msgfmt_check(started).returncode != 0


def test_a_language_msginit_gives_no_plural_rule_is_started_as_the_docs_show(
        project: Path) -> None:
    # gettext 0.21's msginit knows no plural rule for Catalan and writes none;
    # msgfmt then assumes nplurals=2, and update refused the file.
    msginit = gettext_tool("msginit")
    pot_update(project)
    config = project / "bilingual.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'target_languages = ["es"]', 'target_languages = ["es", "ca"]'), encoding="utf-8")
    ui = project / "locales/ca/LC_MESSAGES/_ui.po"
    ui.parent.mkdir(parents=True)
    subprocess.run([msginit, "--no-translator", "-l", "ca", "-i",
                    str(project / "locales/templates/_ui.pot"), "-o", str(ui)],
                   capture_output=True, check=True)
    assert "Plural-Forms" not in ui.read_text(encoding="utf-8")
    assert msgfmt_check(ui).returncode == 0
    code, out, err = run_cli("-C", str(project), "update")
    assert code == 0, out + err
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in ui.read_text(encoding="utf-8")
    assert msgfmt_check(ui).returncode == 0


def test_a_catalog_without_plural_forms_of_a_language_without_two_is_refused_and_kept(
        project: Path) -> None:
    # Read with gettext's two forms, a Japanese catalog lost its msgstr[1] when
    # update gave it Japanese's one form: "18 kept", and the translation gone.
    pot_update(project)
    config = project / "bilingual.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'target_languages = ["es"]', 'target_languages = ["es", "ja"]'), encoding="utf-8")
    template = (project / "locales/templates/_ui.pot").read_text(encoding="utf-8")
    ui = project / "locales/ja/LC_MESSAGES/_ui.po"
    ui.parent.mkdir(parents=True)
    text = template.replace("#, fuzzy\nmsgid", "msgid", 1).replace(
        '"Language: \\n"', '"Language: ja\\n"').replace(
        'msgid_plural "%(count)s minutes"\nmsgstr[0] ""\nmsgstr[1] ""',
        'msgid_plural "%(count)s minutes"\nmsgstr[0] ""\nmsgstr[1] "%(count)s 分"')
    assert "%(count)s 分" in text and "Plural-Forms" not in text
    ui.write_text(text, encoding="utf-8")
    code, out, err = run_cli("-C", str(project), "update")
    assert code == 1
    assert "locales/ja/LC_MESSAGES/_ui.po:" in err
    assert "plural entries but no Plural-Forms in the header" in err
    assert ui.read_text(encoding="utf-8") == text
    code, out, _ = run_cli("-C", str(project), "check")
    assert code == 1 and "plural entries but no Plural-Forms in the header" in out
    # With nothing in the form Japanese has not, nothing is lost: update adds its rule.
    ui.write_text(text.replace('msgstr[1] "%(count)s 分"', 'msgstr[1] ""'), encoding="utf-8")
    code, out, err = run_cli("-C", str(project), "update")
    assert code == 0, err
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in ui.read_text(encoding="utf-8")


def test_the_ui_template_holds_the_site_title_and_description(project: Path) -> None:
    config = project / "bilingual.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'title = "Prueba"', 'title = "Prueba"\ndescription = "Tiere im Haus"'), encoding="utf-8")
    pot_update(project)
    # polib, not the strict parser: the UI POT has plural entries and no Plural-Forms.
    pot = polib.pofile(str(project / "locales/templates/_ui.pot"))
    po = read_catalog(project / "locales/es/LC_MESSAGES/_ui.po")
    site = [(e.msgctxt, e.msgid, e.comment, e.occurrences, e.msgstr) for e in pot
            if e.msgctxt in ("site title", "site description")]
    assert [entry[:2] for entry in site] == [("site title", "Prueba"),
                                             ("site description", "Tiere im Haus")]
    assert all(occurrences == [("bilingual.toml", "")] and not msgstr
               for _, _, _, occurrences, msgstr in site)
    # As the POT's every entry: the same as the catalogs' but for the translation.
    assert [(e.msgctxt, e.msgid, e.comment, e.occurrences) for e in po
            if e.msgctxt in ("site title", "site description")] == [s[:4] for s in site]


def test_rewritten_only_when_entries_change(project: Path) -> None:
    pot_update(project)
    paths = templates(project)
    for path in paths.values():  # as if made long ago
        path.write_text(re.sub(r"(POT-Creation-Date: )[^\\]*", r"\g<1>2020-01-01 00:00+0000",
                               path.read_text(encoding="utf-8")), encoding="utf-8")
    mtimes = {name: p.stat().st_mtime_ns for name, p in paths.items()}
    assert "wrote" not in pot_update(project)
    assert {name: p.stat().st_mtime_ns for name, p in paths.items()} == mtimes
    assert {creation_date(p) for p in paths.values()} == {"2020-01-01 00:00+0000"}

    article = project / "content/de/katze.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n",
                       encoding="utf-8")
    out = pot_update(project)
    assert "wrote locales/templates/katze.pot" in out and "hund.pot" not in out
    assert creation_date(paths["katze.pot"]) != "2020-01-01 00:00+0000"
    assert creation_date(paths["hund.pot"]) == "2020-01-01 00:00+0000"
    assert 'msgid "Ein neuer Absatz."' in paths["katze.pot"].read_text(encoding="utf-8")


def test_the_template_of_a_deleted_article_is_removed(project: Path) -> None:
    pot_update(project)
    (project / "content/de/blog/tief.md").unlink()
    out = pot_update(project)
    assert "removed locales/templates/blog/tief.pot" in out
    assert "blog/tief.pot" not in templates(project)
