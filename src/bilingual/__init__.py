"""bilingual: German articles, Spanish translations through gettext catalogs, one site.

The pipeline, one module per stage:

    config      bilingual.toml -> SiteConfig
    sources     content/<lang>/**/*.md -> SourceDoc
    segment     SourceDoc -> SegmentedDoc (skeleton + segments)
    catalog     .po files: strict reading, msgcat-identical writing
    merge       msgmerge semantics: new template + old catalog -> updated catalog
    update      orchestration of `bilingual update` (pot: POT templates)
    translate   SegmentedDoc + catalog -> TranslatedDoc
    render      Markdown -> HTML (cmark-gfm, markdown-it-py where it must)
    site        URLs, hreflang groups, sitemap, feeds
    build       orchestration of `bilingual build`: gather, plan, render pages
    publish     the new site swapped in whole; has anything changed since?
    checks      catalogs and sources -> Findings
    report      Findings -> text | json | github
    status      translation progress (statuspage: the same in the built site)
    cli         the `bilingual` command (serve, progress, pseudo for daily work)

Beside the pipeline: cache (results kept across runs, keyed by input hashes),
reading (articles and catalogs read through it, on every core), parallel
(work spread over the cores), lock (one catalog writer at a time).
"""

__version__ = "0.1.0"
