"""Configuration: every problem reported at once, with the file, exit code 2."""

from __future__ import annotations

import pytest

from bilingual.config import load_config
from bilingual.errors import ConfigError

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
