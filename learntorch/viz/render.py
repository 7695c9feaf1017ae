"""``render_svg``: turn a graphviz graph into SVG text, with or without the ``dot`` program.

Order of preference: the system ``dot`` on PATH, then pygraphviz (its wheels bundle Graphviz, so a
plain ``pip install`` is enough), else a ``RuntimeError`` that says how to fix it.
"""
from __future__ import annotations

import shutil
import subprocess
from typing import Any

_FIX = ("cannot render the graph: there is no `dot` program on PATH and pygraphviz is not installed. "
        "Fix: `pip install pygraphviz` (its wheels bundle Graphviz), or install Graphviz itself "
        "(`apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`).")


def render_svg(graph: Any) -> str:
    """The SVG text of ``graph`` (a ``graphviz.Digraph``, or DOT source as a string)."""
    source = graph if isinstance(graph, str) else graph.source
    engine = getattr(graph, "engine", "dot")
    exe = shutil.which(engine)
    if exe is not None:
        done = subprocess.run([exe, "-Tsvg"], input=source.encode(), capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"{engine} failed to render the graph: {done.stderr.decode().strip()}")
        return done.stdout.decode()
    try:
        import pygraphviz
    except ImportError:
        raise RuntimeError(_FIX) from None
    return pygraphviz.AGraph(string=source).draw(format="svg", prog=engine).decode()
