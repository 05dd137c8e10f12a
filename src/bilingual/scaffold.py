"""`bilingual init`: a new site project that updates, builds and checks clean.

The project is copied from the package's `scaffold/` folder: `project/` holds
the configuration, a sample article and its complete Spanish catalogs;
`templates/` and `static/` are the built-in templates and stylesheet, copied so
the new site can change them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bilingual.config import enclosing_project
from bilingual.errors import ConfigError

SCAFFOLD = Path(__file__).parent / "scaffold"


def scaffold_files() -> list[tuple[Path, Path]]:
    """(source in the package, path relative to the new project), sorted."""
    pairs = []
    for folder, prefix in (("project", Path()), ("templates", Path("templates")),
                           ("static", Path("static"))):
        base = SCAFFOLD / folder
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                pairs.append((path, prefix / path.relative_to(base)))
    return pairs


def scaffold_project(target: Path) -> list[Path]:
    """Write a new site project into `target`, which must be empty or absent."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigError("already exists and is not empty; choose a new folder", target)
    project = enclosing_project(target)
    if project is not None:
        # Its articles, catalogs and templates would be the outer site's too.
        raise ConfigError(f"lies inside the project {project}; choose a folder outside it",
                          target)
    written = []
    for source, relative in scaffold_files():
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        written.append(destination)
    return written
