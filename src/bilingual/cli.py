"""The `bilingual` command: parse options, call one pipeline function, report.

Exit codes: 0 success; 1 the command ran and found errors or failed; 2 usage
or configuration error. Errors are `file[:line]: message`; `--debug` shows
tracebacks of unexpected failures.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from bilingual.config import SiteConfig, load_config
from bilingual.errors import ConfigError


class Context:
    """What every command needs: the project root and the debug switch."""

    def __init__(self, root: Path, debug: bool):
        self.root = root
        self.debug = debug

    def config(self) -> SiteConfig:
        return load_config(self.root)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=".", help="Run in DIR instead of the current directory.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected failures.")
@click.version_option(package_name="bilingual")
@click.pass_context
def cli(ctx: click.Context, directory: Path, debug: bool) -> None:
    """German articles, Spanish translations through gettext catalogs, one site."""
    # Like `make -C` and `git -C`: every relative path is read from DIR.
    try:
        os.chdir(directory)
    except OSError as exc:
        raise ConfigError(f"cannot run there: {exc.strerror}", directory) from None
    ctx.obj = Context(Path.cwd(), debug)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_context
def init(context: Context, directory: Path) -> None:
    """Scaffold a site project in DIRECTORY that updates, builds and checks clean."""
    from bilingual.scaffold import scaffold_project

    target = directory if directory.is_absolute() else context.root / directory
    written = scaffold_project(target)
    click.echo(f"Created {len(written)} files in {target}")
    click.echo(f"Next: cd {directory} && bilingual update && bilingual build")


@cli.command()
@pass_context
def update(context: Context) -> None:
    """Extract segments and UI strings and merge them into every target catalog."""
    from bilingual.update import apply_plan, plan_update, relative

    config = context.config()
    plan = plan_update(config)
    written = apply_plan(plan)
    for catalog in written:
        stats = catalog.stats
        verb = "created" if catalog.created else "updated"
        click.echo(f"{verb} {relative(config, catalog.path)}: {stats.kept} kept, "
                   f"{stats.fuzzy} fuzzy, {stats.from_memory} from memory, {stats.new} new, "
                   f"{stats.obsoleted} obsolete")
    for error in plan.errors:
        error.show()
    click.echo(f"{len(plan.catalogs)} catalogs, {len(written)} written"
               + (f", {len(plan.errors)} error(s)" if plan.errors else ""))
    if plan.errors:
        sys.exit(1)


@cli.command()
@click.option("--drafts", is_flag=True,
              help="Also build drafts and incomplete translations (noindex, marked as drafts).")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write the site to DIR (relative to the project) instead of site/.")
@pass_context
def build(context: Context, drafts: bool, output: Path | None) -> None:
    """Build the site of every language into site/."""
    from bilingual.build import build_site, describe_summary

    config = context.config()
    if output is not None and not output.is_absolute():
        output = context.root / output
    summary = build_site(config, drafts=drafts, output=output)
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    for held in summary.held_back:
        click.echo(held.describe())
    click.echo(describe_summary(summary, config.languages))


@cli.command("import-translation")
@click.argument("german", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("translated", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", required=True, help="Target language of TRANSLATED, e.g. es.")
@click.option("--overwrite", is_flag=True, help="Replace translations already in the catalog.")
@pass_context
def import_translation(context: Context, german: Path, translated: Path, lang: str,
                       overwrite: bool) -> None:
    """Fill GERMAN's catalog from TRANSLATED, an existing translation of the
    article with the same block structure (run `bilingual update` first)."""
    from bilingual.align import import_translation as run_import

    config = context.config()
    result = run_import(config, german, translated, lang, overwrite)
    for conflict in result.conflicts:
        click.echo(f"warning: {translated}: {conflict}", err=True)
    click.echo(f"{result.path}: {result.filled} translations filled")


def _target_languages(config: SiteConfig, langs: tuple[str, ...]) -> tuple[str, ...]:
    """`--lang` values, each a target language of the site (else exit 2)."""
    unknown = [lang for lang in langs if lang not in config.target_languages]
    if unknown:
        raise ConfigError(f"--lang {', '.join(unknown)}: not a target language of this site "
                          f"(targets: {', '.join(config.target_languages)})")
    return tuple(dict.fromkeys(langs)) or config.target_languages


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Report format; github prints workflow annotations.")
@click.option("--lang", "langs", multiple=True, metavar="LANG",
              help="Check only this target language (repeatable).")
@click.option("--site", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also check a built site in DIR (lang, hreflang, internal links).")
@pass_context
def check(context: Context, fmt: str, langs: tuple[str, ...], site: Path | None) -> None:
    """Check catalogs and sources: missing, fuzzy, stale, markup, syntax, obsolete.
    Exit 1 when an error is found (warnings allowed)."""
    from bilingual.checks import run_checks
    from bilingual.report import render, use_color

    config = context.config()
    report = run_checks(config, _target_languages(config, langs), site)
    color = use_color(fmt, sys.stdout.isatty(), os.environ)
    click.echo(render(report, fmt, color), nl=False, color=color)
    if report.errors:
        sys.exit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report format.")
@click.option("--lang", "langs", multiple=True, metavar="LANG",
              help="Show only this target language (repeatable).")
@pass_context
def status(context: Context, fmt: str, langs: tuple[str, ...]) -> None:
    """Translation progress per article and language: segments, translated, fuzzy,
    untranslated (and their words), published or held back."""
    from bilingual.status import collect_status, format_status_json, format_status_text

    config = context.config()
    report = collect_status(config, _target_languages(config, langs))
    click.echo(format_status_json(report) if fmt == "json" else format_status_text(report),
               nl=False)
    for error in report.errors:
        error.show()
    if report.errors:
        sys.exit(1)


def main() -> None:
    """Entry point of the console script."""
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False, prog_name="bilingual")
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except OSError as exc:
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - last line of defence for users
        if debug:
            raise
        click.echo(f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for "
                   "the traceback)", err=True)
        sys.exit(1)
