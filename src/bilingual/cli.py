"""The `bilingual` command: parse options, call one pipeline function, report.

Exit codes: 0 success; 1 the command ran and found errors or failed; 2 usage
or configuration error. Errors are `file[:line]: message`; `--debug` shows
tracebacks of unexpected failures.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from bilingual.config import SiteConfig, load_config
from bilingual.errors import ConfigError, location
from bilingual.progress import Output


class Context:
    """What every command needs: the project root, the debug switch and how much to print."""

    def __init__(self, root: Path, debug: bool, out: Output | None = None,
                 started_in: Path | None = None):
        self.root = root
        self.debug = debug
        self.out = out if out is not None else Output()
        self.started_in = started_in if started_in is not None else root
        """The folder the command was started in, before `-C` (for hints to paste)."""

    def config(self) -> SiteConfig:
        return load_config(self.root)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=".", help="Run in DIR instead of the current directory.")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected failures.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print only errors (update, build, serve); the exit code tells the rest.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also list every file written (update, build, serve).")
@click.version_option(package_name="bilingual")
@click.pass_context
def cli(ctx: click.Context, directory: Path, debug: bool, quiet: bool, verbose: bool) -> None:
    """German articles, Spanish translations through gettext catalogs, one site."""
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    # Like `make -C` and `git -C`: every relative path is read from DIR.
    started_in = Path.cwd()
    try:
        os.chdir(directory)
    except OSError as exc:
        raise ConfigError(f"cannot run there: {exc.strerror}", directory) from None
    ctx.obj = Context(Path.cwd(), debug, Output(quiet, verbose), started_in)


def _set_output(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """`-q` or `-v` given after the command's name (`bilingual update -q`), as
    before it: the same `Output`, made again with the flag."""
    if not value:
        return
    context = ctx.find_object(Context)
    out = context.out
    quiet, verbose = out.quiet or param.name == "quiet", out.verbose or param.name == "verbose"
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    context.out = Output(quiet, verbose)


def output_options(command: Callable) -> Callable:
    """`-q` and `-v` on a command that prints progress, as on `bilingual` itself."""
    command = click.option("-v", "--verbose", is_flag=True, expose_value=False,
                           callback=_set_output, help="Also list every file written.")(command)
    return click.option("-q", "--quiet", is_flag=True, expose_value=False,
                        callback=_set_output,
                        help="Print only errors; the exit code tells the rest.")(command)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_context
def init(context: Context, directory: Path) -> None:
    """Scaffold a site project in DIRECTORY that updates, builds and checks clean."""
    from bilingual.scaffold import scaffold_project

    target = directory if directory.is_absolute() else context.root / directory
    written = scaffold_project(target)
    click.echo(f"Created {len(written)} files in {target}")
    # A line to paste where the command was started: `-C sub init x` made sub/x.
    shown = os.path.relpath(target, context.started_in) \
        if target.is_relative_to(context.started_in) else str(target)
    click.echo(f"Next: cd {shlex.quote(shown)} && bilingual update && bilingual build")


@cli.command()
@click.option("--pot", is_flag=True,
              help="Also write POT templates to locales/templates/ (for msginit, Weblate).")
@output_options
@pass_context
def update(context: Context, pot: bool) -> None:
    """Extract segments and UI strings and merge them into every target catalog."""
    from bilingual.lock import catalog_lock
    from bilingual.progress import update_summary_line
    from bilingual.update import apply_plan, plan_update, relative

    out = context.out
    started = time.monotonic()
    config = context.config()
    with catalog_lock(config.root, "bilingual update"):
        progress = out.progress()
        try:
            plan = plan_update(config, progress=progress)
        finally:
            progress.finish()
        applied = apply_plan(plan)
        templates = None
        if pot:
            from bilingual.pot import write_templates

            templates = write_templates(config)
    written = applied.written
    for catalog in written:
        stats = catalog.stats
        verb = "created" if catalog.created else "updated"
        out.say(f"{verb} {relative(config, catalog.path)}: {stats.kept} kept, "
                f"{stats.fuzzy} fuzzy, {stats.from_memory} from memory, {stats.new} new, "
                f"{stats.obsoleted} obsolete")
    # By path: comparing plans, each with every written one, was quadratic
    # (62 million comparisons, a minute, after edits to 10,000 articles).
    written_paths = {catalog.path for catalog in written}
    for catalog in plan.catalogs if out.verbose else ():  # a line each, for --verbose only
        if catalog.path not in written_paths:
            out.detail(f"unchanged {relative(config, catalog.path)}")
    for file, message in plan.warnings:
        out.warn(f"{file}: {message}")
    errors = [*plan.errors, *applied.errors, *(templates.errors if templates else ())]
    for line in templates.describe(config) if templates else ():
        out.say(line)
    for error in errors:
        error.show()
    out.say(update_summary_line(plan.articles,
                                len(plan.catalogs), len(written), len(errors),
                                time.monotonic() - started,
                                len(templates.written) if templates else None))
    if errors:
        sys.exit(1)


@cli.command()
@click.option("--drafts", is_flag=True,
              help="Also build drafts and incomplete translations (noindex, marked as drafts).")
# No `file_okay=False`: `build.check_output_folder` refuses a file, as every
# other unusable folder, with one kind of message and exit 2.
@click.option("--output", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Write the site to DIR (relative to the project) instead of site/.")
@output_options
@pass_context
def build(context: Context, drafts: bool, output: Path | None) -> None:
    """Build the site of every language into site/."""
    from bilingual.progress import build_summary_line
    from bilingual.publish import input_state, unchanged_site

    out = context.out
    started = time.monotonic()
    config = context.config()
    if output is None:
        output = config.output_dir
    elif not output.is_absolute():
        output = context.root / output
    # Nothing to do is found out without loading the rest of the pipeline.
    inputs = input_state(config)
    summary = unchanged_site(config, output, drafts, inputs)
    if summary is None:
        from bilingual.build import rebuild_site

        progress = out.progress()
        try:
            summary = rebuild_site(config, drafts, output, progress, inputs)
        finally:
            progress.finish()
    for warning in summary.warnings:
        out.warn(warning)
    for held in summary.held_back:
        out.say(held.describe())
    for name in summary.written:
        out.detail(f"wrote {name}")
    for name in summary.removed:
        out.detail(f"removed {name}")
    out.say(build_summary_line(summary, config.languages, summary.articles,
                               time.monotonic() - started))


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
    from bilingual.lock import catalog_lock

    config = context.config()
    with catalog_lock(config.root, "bilingual import-translation"):
        result = run_import(config, german, translated, lang, overwrite)
    for conflict in result.conflicts:
        click.echo(f"warning: {translated}: {conflict}", err=True)
    click.echo(f"{location(result.path)}: {result.filled} translations filled")


@cli.command()
@click.option("--output", type=click.Path(path_type=Path), metavar="DIR",
              default=Path("site-pseudo"), show_default=True,
              help="Write the pseudo-localized site to DIR (relative to the project).")
@click.option("--drafts", is_flag=True, help="Also build drafts.")
@pass_context
def pseudo(context: Context, output: Path, drafts: bool) -> None:
    """Build a pseudo-localized site ([Ŝåṁþļé ţéẋţ ···] in every target language) to
    find layout problems; the project's catalogs are not touched."""
    from bilingual.pseudo import build_pseudo_site

    config = context.config()
    summary = build_pseudo_site(config, output if output.is_absolute() else context.root / output,
                                drafts)
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"pseudo-localized site: {len(summary.pages)} pages in {summary.output_dir}")


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
    from bilingual.status import (
        collect_status,
        format_status_json,
        format_status_text,
        without_catalog_note,
    )

    config = context.config()
    report = collect_status(config, _target_languages(config, langs))
    click.echo(format_status_json(report) if fmt == "json" else format_status_text(report),
               nl=False)
    if (note := without_catalog_note(report)) is not None:
        click.echo(f"note: {note}", err=True)
    for error in report.errors:
        error.show()
    if report.errors:
        sys.exit(1)


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1; 0 picks a free one.")
@output_options
@pass_context
def serve(context: Context, port: int) -> None:
    """Build with drafts into .bilingual-serve/, serve it on 127.0.0.1, rebuild on every
    change and reload the open page; on an error keep the last good build and show it.
    Ctrl-C stops."""
    from bilingual.config import find_config_root
    from bilingual.serve import serve_site

    # Only the file must exist: a configuration error is shown like any build error
    # and the preview waits for the fix.
    root = find_config_root(context.root)
    sys.exit(serve_site(root, port, context.out, context.debug))


def main() -> None:
    """Entry point of the console script."""
    if sys.getfilesystemencoding().lower().replace("-", "") != "utf8" and not sys.flags.utf8_mode:
        # A locale that is not UTF-8 (`LC_ALL=C` with PYTHONUTF8=0): file names
        # and texts are UTF-8 in every project, and were read as undecodable
        # bytes (`content/de/\udcc3\udcbcber.md` refused, a project folder
        # named `Über` a crash). Run again in Python's UTF-8 mode.
        os.execv(sys.executable, [sys.executable, "-X", "utf8", *sys.orig_argv[1:]])
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
