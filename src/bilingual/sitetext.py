"""The site's title and description (`[site]` in bilingual.toml), translated.

They are two entries of each target language's UI catalog (`_ui.po`), beside
the templates' strings, so translators meet them in the tools they already
use and `check` reports them missing or fuzzy like any UI string. `update`
writes them from `site_text_entries`; `build` shows a language's finished
translation through `site_text`, and the configured (source-language) text
until there is one.
"""

from __future__ import annotations

from dataclasses import dataclass

import polib

from bilingual.catalog import unholdable_character, unholdable_message
from bilingual.config import CONFIG_NAME, SiteConfig, key_lines, line_of
from bilingual.errors import BilingualError
from bilingual.merge import is_translated

TITLE_CONTEXT = "site title"
DESCRIPTION_CONTEXT = "site description"
SITE_TEXT_CONTEXTS = (TITLE_CONTEXT, DESCRIPTION_CONTEXT)
# Without a line number, as the templates' references: moving a line of
# bilingual.toml must not make every UI catalog stale in CI.
_REFERENCE = (CONFIG_NAME, "")
# Extracted comments; each line becomes a `#.` line, short enough for any editor.
_TITLE_COMMENT = ("The site's name ([site] title in bilingual.toml), shown in the\n"
                  "browser tab, the header, the footer and the feed. A brand name\n"
                  "may stay as it is: copy it unchanged.")
_DESCRIPTION_COMMENT = ("The site's description ([site] description in bilingual.toml):\n"
                        "the home page's lead paragraph, its search snippet and the\n"
                        "feed's subtitle.")


@dataclass(frozen=True, slots=True)
class SiteText:
    """The title and description one language's pages show, each with the
    language it is in: the source language's while it is untranslated."""

    title: str
    title_lang: str
    description: str
    description_lang: str


def site_text_entries(config: SiteConfig) -> list[polib.POEntry]:
    """The UI catalog entries of the site's title and description; an empty
    description has nothing to translate and gets none. Raises BilingualError
    at the line of bilingual.toml for a text no catalog can hold."""
    texts = [("title", TITLE_CONTEXT, config.title, _TITLE_COMMENT),
             ("description", DESCRIPTION_CONTEXT, config.description, _DESCRIPTION_COMMENT)]
    for name, _, text, _ in texts:
        if (char := unholdable_character(text)) is not None:
            lines = key_lines(config.config_path.read_text(encoding="utf-8"))
            raise BilingualError(unholdable_message(f"[site] {name}", text, char),
                                 config.config_path, line_of(lines, ("site", name)))
    return [polib.POEntry(msgid=text, msgctxt=context, comment=comment,
                          occurrences=[_REFERENCE])
            for _, context, text, comment in texts if text.strip()]


def site_text(config: SiteConfig, lang: str, catalog: polib.POFile | None) -> SiteText:
    """What `lang`'s pages show as the site's title and description: the
    finished (not fuzzy) translation in its UI catalog, else the configured text.

    Only an entry for the configured text counts: after the configuration
    changed and before `update` ran, the old text's translation is not shown
    for the new one."""
    source = config.source_language

    def shown(context: str, text: str) -> tuple[str, str]:
        if lang == source or catalog is None or not text.strip():
            return text, source
        entry = catalog.find(text, msgctxt=context)
        if entry is None or not is_translated(entry):
            return text, source
        return entry.msgstr, lang

    title, title_lang = shown(TITLE_CONTEXT, config.title)
    description, description_lang = shown(DESCRIPTION_CONTEXT, config.description)
    return SiteText(title, title_lang, description, description_lang)
