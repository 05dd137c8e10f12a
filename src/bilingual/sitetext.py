"""The site's title and description (`[site]` in bilingual.toml), translated.

They are two entries of each target language's UI catalog (`_ui.po`), beside
the templates' strings, so translators meet them in the tools they already
use and `check` reports them missing or fuzzy like any UI string. `update`
writes them from `site_text_entries`.
"""

from __future__ import annotations

import polib

from bilingual.config import CONFIG_NAME, SiteConfig

TITLE_CONTEXT = "site title"
DESCRIPTION_CONTEXT = "site description"
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


def site_text_entries(config: SiteConfig) -> list[polib.POEntry]:
    """The UI catalog entries of the site's title and description; an empty
    description has nothing to translate and gets none."""
    texts = [(TITLE_CONTEXT, config.title, _TITLE_COMMENT),
             (DESCRIPTION_CONTEXT, config.description, _DESCRIPTION_COMMENT)]
    return [polib.POEntry(msgid=text, msgctxt=context, comment=comment,
                          occurrences=[_REFERENCE])
            for context, text, comment in texts if text.strip()]

