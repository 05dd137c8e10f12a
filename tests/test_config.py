"""Configuration: every problem reported at once, with the file and line, exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bilingual.config import key_lines, load_config
from bilingual.errors import ConfigError

SRC = str(Path(__file__).resolve().parents[1] / "src")

MINIMAL = """[site]
title = "Beispiel"
base_url = "https://www.example.com/"
source_language = "de"
target_languages = ["es"]
"""


def write(tmp_path, text):
    (tmp_path / "bilingual.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_minimal_configuration_loads(tmp_path):
    config = load_config(write(tmp_path, MINIMAL))
    assert config.source_language == "de"
    assert config.target_languages == ("es",)
    assert config.base_url == "https://www.example.com"
    assert config.languages == ("de", "es")
    assert config.locale_dir("es") == tmp_path / "locales" / "es" / "LC_MESSAGES"
    assert config.check_policy("es").severity("fuzzy") == "error"
    assert config.check_policy("es").severity("obsolete") == "warning"


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path, """[site]
title = "x"
source_language = "de"
target_languages = ["de", "xx-nowhere"]
colour = "blue"
""")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    message = raised.value.format_message()
    assert raised.value.exit_code == 2
    assert "base_url is missing" in message
    assert "lists the source language 'de'" in message
    assert "unknown locale 'xx-nowhere'" in message
    assert "unknown key 'colour' in [site]" in message
    assert message.count(str(tmp_path / "bilingual.toml")) == 4


def test_toml_syntax_error_names_file_and_line(tmp_path):
    write(tmp_path, '[site]\ntitle = "x"\nbase_url = \n')
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert f"{tmp_path / 'bilingual.toml'}:3:" in raised.value.format_message()


def test_missing_configuration_is_a_usage_error(tmp_path):
    with pytest.raises(ConfigError, match="no bilingual.toml"):
        load_config(tmp_path)


def test_third_language_and_check_policy(tmp_path):
    config = load_config(write(tmp_path, MINIMAL.replace('["es"]', '["es", "en"]') + """
[languages.de]
locale = "de_DE"

[check]
warnings = ["obsolete", "fuzzy"]

[check.en]
ignore = ["missing"]
"""))
    assert config.target_languages == ("es", "en")
    assert config.babel_locale("de") == "de_DE"
    assert config.check_policy("es").severity("fuzzy") == "warning"
    assert config.check_policy("en").severity("missing") is None
    assert config.check_policy("en").severity("fuzzy") == "warning"


def problem_lines(tmp_path, text):
    """The listed problems of a configuration that fails to load."""
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    assert raised.value.exit_code == 2
    return raised.value.format_message().splitlines()[1:]


# A comment, and a multi-line string holding what looks like a header and keys, so a
# line finder that reads line by line would place the keys below wrongly.
PREAMBLE = """# Site configuration [site] base_url = "x"
[site]
description = \"\"\"
[languages.es]
colour = "blue"
base_url = "https://elsewhere.example"
\"\"\"
"""


@pytest.mark.parametrize(("text", "line", "message"), [
    (MINIMAL.replace("https://www.example.com/", "www.example.com"), 3,
     "[site] base_url 'www.example.com' is not an absolute http(s) URL"),
    (MINIMAL + 'colour = "blue"\n', 6, "unknown key 'colour' in [site]"),
    (MINIMAL + '\n[languages.es]\nlocale = "es_ES"\ncolour = "blue"\n', 9,
     "unknown key 'colour' in [languages.es]"),
    (MINIMAL + '\n[languages.es]\nlocale = "xx-nowhere"\n', 8,
     "[languages.es] locale: unknown locale 'xx-nowhere'"),
    (MINIMAL.replace('["es"]', '["es", "xx-nowhere"]'), 5,
     "[site] target_languages: unknown locale 'xx-nowhere'"),
    (MINIMAL.replace('["es"]', '["es", "es"]'), 5, "[site] target_languages lists a language twice"),
    (MINIMAL.replace('["es"]', '["es", "de"]'), 5,
     "[site] target_languages lists the source language 'de'"),
    # A code that differs only in case is the same language: `ES` beside `es`
    # made a second Spanish site and two hreflang="es" links on every page.
    (MINIMAL.replace('["es"]', '["es", "ES"]'), 5, "[site] target_languages lists a language twice"),
    (MINIMAL.replace('["es"]', '["DE"]'), 5,
     "[site] target_languages lists the source language 'de' (as 'DE')"),
    (MINIMAL.replace('"Beispiel"', "3"), 2, "[site] title must be text in quotes, not 3"),
    (MINIMAL.replace('"Beispiel"', '"  "'), 2, "[site] title is missing or empty"),
    (MINIMAL.replace('"https://www.example.com/"', "5"), 3,
     "[site] base_url must be text in quotes (an absolute URL), not 5"),
    (MINIMAL.replace('["es"]', '["es", "pt-BR"]'), 5, "[site] target_languages: write 'pt_BR', "
     "the code as gettext and Babel write it, for 'pt-BR' (the pages get the tag 'pt-BR')"),
    (MINIMAL + 'ui_language = "xx-nowhere"\n', 6,
     "[site] ui_language (the language the templates' texts are written in): unknown locale"),
    (MINIMAL + '\n[languages]\nes = { name = 5 }\n', 8,
     "[languages.es] name must be the language's name in quotes (\"Español\"), not 5"),
    (MINIMAL + '\n[languages]\nes = { name = "" }\n', 8, "[languages.es] name must be"),
    (MINIMAL.replace('["es"]', '"es"'), 5, "[site] target_languages must be a non-empty list"),
    (MINIMAL + '\n[check]\nwarnings = "fuzzy"\n', 8, "[check] warnings must be a list of finding codes"),
    (MINIMAL + '\n[check.fr]\nignore = ["missing"]\n', 7, "[check.fr] names a language that is not a target"),
    (MINIMAL + '\n[languages.fr]\nname = "français"\n', 7,
     "[languages.fr] is neither the source nor a target language"),
    (MINIMAL + '\n[sitee]\ntitle = "x"\n', 7, "unknown table or key 'sitee'"),
    # A missing key is placed at its table's header.
    (MINIMAL.replace('title = "Beispiel"\n', ""), 1, "[site] title is missing or empty"),
    # Comments and strings holding `=` and `[` do not move the line.
    (PREAMBLE + MINIMAL.replace("[site]\n", "").replace("https://www.example.com/", "www.example.com"), 9,
     "[site] base_url 'www.example.com' is not an absolute http(s) URL"),
    # Quoted and dotted keys, and an inline table.
    (MINIMAL.replace("base_url =", '"base_url" =').replace("https://www.example.com/", "www"), 3,
     "[site] base_url 'www' is not an absolute http(s) URL"),
    ('site.title = "x"\nsite.base_url = "https://x.example"\nsite.source_language = "de"\n'
     'site.target_languages = [\n  "es",\n  "es",\n]\n', 4, "[site] target_languages lists a language twice"),
    (MINIMAL + '\n[languages]\nde = { locale = "de_DE" }\nes = { name = "Español", colour = "blue" }\n', 9,
     "unknown key 'colour' in [languages.es]"),
])
def test_a_problem_names_the_line_of_its_key(tmp_path, text, line, message):
    problems = problem_lines(tmp_path, text)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / 'bilingual.toml'}:{line}: {message}")


FOLDER_ONLY = "base_url is the address of the folder the site is published at, with no query, " \
    "fragment or file name"


@pytest.mark.parametrize(("base_url", "message"), [
    # Each would end up inside every absolute URL: `…/blog?x=1/de/willkommen/`.
    ("https://example.org/blog?x=1",
     f"has a query ('?x=1'); {FOLDER_ONLY}: 'https://example.org/blog/'"),
    ("https://example.org/blog/#f", f"has a fragment ('#f'); {FOLDER_ONLY}: 'https://example.org/blog/'"),
    ("https://example.org:8443/a b/", f"holds a space; {FOLDER_ONLY}: 'https://example.org:8443/a%20b/'"),
    ("https://example.org/blog/index.html",
     "ends in a file name ('index.html'; end it with '/' if that is a folder); "
     f"{FOLDER_ONLY}: 'https://example.org/blog/'"),
    ("https://example.org/a\tb/", f"holds the character U+0009; {FOLDER_ONLY}"),
    ("https://example.org/a<b/",
     f"holds '<', which a URL path holds only percent-encoded; {FOLDER_ONLY}: 'https://example.org/a%3Cb/'"),
    ("https://example.org/a%2/", f"holds a '%' that starts no %XX escape; {FOLDER_ONLY}"),
    ("https://example.org/blog/../", f"has a '.' or '..' path segment; {FOLDER_ONLY}"),
    ("https://ich:geheim@example.org/", f"names a user or password, which every page would publish; "
                                        f"{FOLDER_ONLY}"),
    ("https://example.org:http/", f"has no valid host and port ('example.org:http'); {FOLDER_ONLY}"),
    ("https://[::1/", "is not an absolute http(s) URL (Invalid IPv6 URL)"),
    # Outside ASCII: a path is percent-encoded as UTF-8 without doubt, so that is
    # named; a host's xn-- form differs between IDNA 2003 and 2008 (`straße`).
    ("https://example.org/bücher/", "holds characters outside ASCII, which a URL holds percent-encoded; "
                                    f"{FOLDER_ONLY}: 'https://example.org/b%C3%BCcher/'"),
    ("https://bücher.example/", "has a host outside ASCII; write the host's xn-- name, the form the "
                                f"domain is registered as; {FOLDER_ONLY}"),
])
def test_a_base_url_that_would_corrupt_every_absolute_url_is_refused(tmp_path, base_url, message):
    # A JSON string is a TOML basic string too (the tab becomes `\t`).
    text = MINIMAL.replace('"https://www.example.com/"', json.dumps(base_url, ensure_ascii=False))
    assert problem_lines(tmp_path, text) == [
        f"{tmp_path / 'bilingual.toml'}:3: [site] base_url {base_url!r} {message}"]


@pytest.mark.parametrize(("base_url", "stored"), [
    ("https://example.org:8443/a%20b/", "https://example.org:8443/a%20b"),
    ("https://example.org/v1.0/", "https://example.org/v1.0"),
    ("https://example.org/kanzlei", "https://example.org/kanzlei"),
    ("http://[::1]:8000", "http://[::1]:8000"),
    ("https://xn--bcher-kva.example/b%C3%BCcher/", "https://xn--bcher-kva.example/b%C3%BCcher"),
])
def test_a_base_url_naming_a_folder_is_taken(tmp_path, base_url, stored):
    config = load_config(write(tmp_path, MINIMAL.replace("https://www.example.com/", base_url)))
    assert config.base_url == stored


def test_every_problem_has_its_own_line(tmp_path):
    problems = problem_lines(tmp_path, """[site]
title = "x"
source_language = "de"
target_languages = ["de", "xx-nowhere"]
colour = "blue"
""")
    path = tmp_path / "bilingual.toml"
    assert sorted(problems) == sorted([
        f"{path}:5: unknown key 'colour' in [site] (expected one of: base_url, description, "
        "source_language, target_languages, title, ui_language)",
        f"{path}:1: [site] base_url is missing (absolute URL such as https://www.example.com)",
        f"{path}:4: [site] target_languages lists the source language 'de'",
        f"{path}:4: [site] target_languages: unknown locale 'xx-nowhere' (Babel does not know it)",
    ])


def test_a_missing_site_table_has_no_line(tmp_path):
    problems = problem_lines(tmp_path, "# nothing yet\n")
    assert f"{tmp_path / 'bilingual.toml'}: missing [site] table" in problems


def test_key_lines_reads_tables_keys_and_skips_values():
    text = ('# [not] = a key\n'
            '[site] # [comment]\n'
            '"base_url" = "https://x.example/#[a] = 1"\n'
            "description = \'\'\'\n[languages.xx]\nname = 1\n\'\'\'\n"
            'target_languages = [\n  "es", # ]\n  "en",\n]\n'
            'a . "b.c" = 1979-05-27 07:32:00\n'
            '[ languages . "es" ]\n'
            'locale = "es_ES"\n'
            '[languages]\n'
            'fr = { locale = "fr_FR" }\n')
    assert key_lines(text) == {
        ("site",): 2, ("site", "base_url"): 3, ("site", "description"): 4,
        ("site", "target_languages"): 8, ("site", "a"): 12, ("site", "a", "b.c"): 12,
        ("languages",): 13, ("languages", "es"): 13, ("languages", "es", "locale"): 14,
        ("languages", "fr"): 16, ("languages", "fr", "locale"): 16,
    }


def test_key_lines_of_text_that_is_not_toml_keeps_what_it_found():
    assert key_lines('[site]\ntitle = "x"\n= nonsense\nlater = 1\n') == {("site",): 1, ("site", "title"): 2}


def test_build_reports_the_line_and_exits_2(tmp_path):
    write(tmp_path, MINIMAL.replace("https://www.example.com/", "www.example.com"))
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "bilingual", "-C", str(tmp_path), "build"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "bilingual.toml:3: [site] base_url 'www.example.com' is not an absolute http(s) URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_build_refuses_a_base_url_with_a_query_before_writing_anything(tmp_path):
    write(tmp_path, MINIMAL.replace("https://www.example.com/", "https://example.org/blog?x=1"))
    (tmp_path / "content/de").mkdir(parents=True)
    (tmp_path / "content/de/willkommen.md").write_text("---\ntitle: Willkommen\n---\nHallo.\n",
                                                      encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "bilingual", "-C", str(tmp_path), "build"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "bilingual.toml:3: [site] base_url 'https://example.org/blog?x=1' has a query" in done.stderr
    assert not (tmp_path / "site").exists()
