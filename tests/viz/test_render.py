"""render_svg with the system `dot`, with pygraphviz when PATH has no `dot`, and the error naming the fix."""
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import learntorch as torch
from learntorch import viz

SCRIPT = textwrap.dedent("""
    import shutil, learntorch as torch
    from learntorch import viz
    assert shutil.which("dot") is None
    a = torch.tensor(2.0, requires_grad=True)
    g = viz.draw_graph(a * 3 + a)
    svg = viz.render_svg(g)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "MulBackward0" in svg, svg[:200]
    assert g._repr_mimebundle_()["image/svg+xml"] == svg      # what Jupyter displays
    print("OK")
""")


def _graph():
    a = torch.tensor(2.0, requires_grad=True)
    return viz.draw_graph(a * 3 + a)


def _run(code, path, extra_env=None):
    env = dict(os.environ, PATH=path, **(extra_env or {}))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz `dot` program is not installed")
def test_render_with_system_dot():
    svg = viz.render_svg(_graph())
    assert "<svg" in svg and "MulBackward0" in svg and "AddBackward0" in svg
    assert "<svg" in viz.render_svg("digraph { a -> b }")


@pytest.mark.skipif(sys.platform == "win32", reason="the fake `dot` is a POSIX script")
def test_system_dot_is_preferred(tmp_path):
    fake = tmp_path / "dot"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\nprint('<svg>fake dot</svg>')\n")
    fake.chmod(0o755)
    out = _run("from learntorch import viz\nprint(viz.render_svg('digraph { a -> b }'))", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "<svg>fake dot</svg>" in out.stdout


def test_render_without_dot_on_path_uses_the_bundled_renderer(tmp_path):
    pytest.importorskip("pygraphviz")
    out = _run(SCRIPT, str(tmp_path))          # an empty directory: no `dot` anywhere on PATH
    assert out.returncode == 0, out.stderr
    assert "OK" in out.stdout


def test_no_renderer_raises_an_error_that_names_the_fix(tmp_path):
    code = textwrap.dedent("""
        import sys
        sys.modules["pygraphviz"] = None          # as if it were not installed
        from learntorch import viz
        try:
            viz.render_svg("digraph { a -> b }")
        except RuntimeError as e:
            print(e)
    """)
    out = _run(code, str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "pip install pygraphviz" in out.stdout and "apt-get install graphviz" in out.stdout


def test_dot_errors_are_reported(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("the Graphviz `dot` program is not installed")
    with pytest.raises(RuntimeError, match="failed to render"):
        viz.render_svg("digraph { a -> }")
