"""Copy the front-end packages the pages use from ``node_modules/`` into ``static/vendor/``.

The packages come from the npm registry (``package.json`` pins them and ``package-lock.json``
locks them); nothing from them is committed. Run after ``npm ci``::

    python -m learnhub.web.assets
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from learnhub.web.static import STATIC_DIR

VENDOR_DIR = STATIC_DIR / "vendor"

# What each page may load, as (file inside node_modules, name under static/vendor).
# axe-core is not listed: only the browser tests inject it, straight from node_modules.
VENDOR_FILES = (("htmx.org/dist/htmx.min.js", "htmx.min.js"),)


def find_node_modules(start: Path | None = None) -> Path | None:
    """The ``node_modules`` folder beside the nearest ``package.json`` above ``start``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "package.json").is_file():
            candidate = folder / "node_modules"
            return candidate if candidate.is_dir() else None
    return None


class MissingNodeModules(RuntimeError):
    """``npm ci`` has not been run, so there is nothing to copy."""


def copy_vendor_files(node_modules: Path | None, vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """Copy every vendor file; the list of files written."""
    if node_modules is None or not node_modules.is_dir():
        raise MissingNodeModules(
            "node_modules/ was not found next to package.json: run `npm ci` in the repository "
            "root first, then run `python -m learnhub.web.assets` again."
        )
    vendor_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source_name, target_name in VENDOR_FILES:
        source = node_modules / source_name
        if not source.is_file():
            raise MissingNodeModules(
                f"{source_name} is missing from node_modules/: run `npm ci` so it matches "
                "package-lock.json, then run `python -m learnhub.web.assets` again."
            )
        target = vendor_dir / target_name
        shutil.copyfile(source, target)
        written.append(target)
    return written


def main() -> int:
    """Command-line entry point: copy the files and say what was written."""
    try:
        node_modules = find_node_modules() or find_node_modules(Path(__file__).parent)
        written = copy_vendor_files(node_modules)
    except MissingNodeModules as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"copied {path.relative_to(STATIC_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
