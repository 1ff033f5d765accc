"""Sphinx configuration of the documentation site (build: see docs/contributing.md).

Sphinx because the docstrings are reStructuredText (``literals``, :func:`roles`), as in
numpy and scipy; MyST reads the Markdown specs in this folder. The API reference page and
the figures are generated at build time, so they cannot drift from the code.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from sphinx.application import Sphinx

import permkit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import figures  # noqa: E402  (docs/figures.py, found through the path above)

project = "permkit"
author = "the permkit developers"
copyright = "the permkit developers"
release = permkit.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # specs are also read on GitHub, where H1 -> H3 is fine

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}

html_theme = "pydata_sphinx_theme"
html_title = f"permkit {release}"
html_theme_options = {"navigation_with_keys": False}


def public_modules() -> list[str]:
    """Every importable public module (no component starting with an underscore)."""
    names = ["permkit"]
    for info in pkgutil.walk_packages(permkit.__path__, prefix="permkit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional dependency is missing (e.g. torch)
            continue
        names.append(info.name)
    return sorted(names)


def write_api_page(app: Sphinx) -> None:
    """docs/api.md: one section per public module, generated so that none is forgotten."""
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings of every public module (`docs/conf.py`). The names",
        "re-exported by `permkit` itself are documented in the module that defines them.",
        "",
    ]
    for name in public_modules():
        lines += [f"## `{name}`", "", "```{eval-rst}", f".. automodule:: {name}"]
        if name == "permkit":
            lines += ["   :no-members:"]
        lines += ["```", ""]
    target = HERE / "api.md"
    text = "\n".join(lines)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def make_figures(app: Sphinx) -> None:
    figures.main(HERE / "_generated_figures")


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", write_api_page)
    app.connect("builder-inited", make_figures)
