"""bilingual: German articles, Spanish translations through gettext catalogs, one site.

The pipeline, one module per stage:

    config     bilingual.toml -> SiteConfig
    sources    content/<lang>/**/*.md -> SourceDoc
    segment    SourceDoc -> SegmentedDoc (skeleton + segments)
    catalog    .po files: strict reading, msgcat-identical writing
    merge      msgmerge semantics: new template + old catalog -> updated catalog
    update     orchestration of `bilingual update`
    translate  SegmentedDoc + catalog -> TranslatedDoc
    render     Markdown -> HTML, Jinja2 templates, Babel dates
    site       URLs, hreflang groups, sitemap, feeds
    build      orchestration of `bilingual build`
    checks     catalogs and sources -> Findings
    report     Findings -> text | json | github
    cli        the `bilingual` command
"""

__version__ = "0.1.0"
