"""The course in a real browser: JupyterLab on 127.0.0.1, driven by headless Chromium through Playwright.

For 00_welcome and 02_autograd: open the notebook, wait for the kernel to be idle, Run All, wait for
every cell, then check that no cell raised, that a graph SVG rendered (``.jp-RenderedSVG img``, or an
inline ``<svg>`` inside a widget), that a widget rendered, and that clicking BackpropStepper's Step
button moves the red highlight to another node. Screenshots go to ``$LEARNTORCH_SCREENSHOTS`` or
``tests/e2e/screenshots/`` (git-ignored); the test prints where.

Needs the system's Chromium (``apt-get install chromium``; Playwright never downloads a browser here)
and the ``browser`` extra (playwright, jupyterlab). Skipped, with the reason, when either is missing.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["00_welcome.ipynb", "02_autograd.ipynb"]
KERNEL_IDLE_TIMEOUT_MS = 180_000
RUN_ALL_TIMEOUT_S = 420

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no `chromium` on PATH (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[browser]')")
pytest.importorskip("jupyterlab", reason="jupyterlab is not installed (pip install -e '.[browser]')")

# user settings: no news or update pop-ups, and every cell kept in the DOM (no windowing)
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False,
                                                                       "doNotDisturbMode": True},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def screenshots() -> Path:
    folder = Path(os.environ.get("LEARNTORCH_SCREENSHOTS") or ROOT / "tests" / "e2e" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server with its own settings, runtime, config and workspace folders; yields its URL."""
    tmp = tmp_path_factory.mktemp("jupyterlab")
    settings = tmp / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(tmp / "config"))
    env.pop("MPLBACKEND", None)           # the kernel must use the inline backend, as a learner's does
    port = free_port()
    log = open(tmp / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={ROOT}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--ServerApp.port_retries=0"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"JupyterLab did not start:\n{(tmp / 'jupyterlab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


def run_all(page) -> None:
    """Run ▸ Run All Cells, through the menu bar, as a learner does."""
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^\s*Run All Cells\s*$")).first.click()


def wait_for_all_cells(page, timeout_s: float) -> None:
    """Until every code cell has an execution count (no `[*]`, no `[ ]`) and the kernel is idle."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        if prompts and all(p.strip().startswith("[") and p.strip()[1:-2].strip().isdigit() for p in prompts):
            if page.locator("#jp-main-statusbar", has_text="Idle").count():
                return
        time.sleep(1)
    raise AssertionError(f"cells still running after {timeout_s} s: {prompts}")


def highlighted_node(stepper) -> str:
    """The graph node (its SVG <title>) that the stepper draws in red."""
    node = stepper.locator('svg g.node:has([stroke="red"]) > title').first
    node.wait_for(state="attached", timeout=30_000)
    return node.text_content()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_in_jupyterlab(notebook, lab, browser, screenshots, capsys):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    name = notebook.removesuffix(".ipynb")
    try:
        page.goto(f"{lab}/lab/workspaces/e2e-{name}/tree/notebooks/{notebook}?reset", timeout=120_000)
        page.locator(".jp-Notebook").first.wait_for(timeout=120_000)
        # a Run All clicked before the kernel is connected does nothing: wait for the status bar's "Idle"
        page.locator("#jp-main-statusbar", has_text="Idle").wait_for(timeout=KERNEL_IDLE_TIMEOUT_MS)
        page.screenshot(path=str(screenshots / f"{name}-0-opened.png"))
        run_all(page)
        wait_for_all_cells(page, RUN_ALL_TIMEOUT_S)
        page.screenshot(path=str(screenshots / f"{name}-1-ran.png"), full_page=True)

        outputs = " ".join(page.locator(".jp-OutputArea-output").all_inner_texts())
        assert "Traceback (most recent call last)" not in outputs, outputs[-3000:]
        assert page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count() == 0

        # a graph SVG rendered: draw_graph's image output, or the stepper's inline svg
        svg_images = page.locator(".jp-RenderedSVG img")
        inline = page.locator(".jupyter-widgets svg g.node")
        assert svg_images.count() + inline.count() > 0, "no graph SVG rendered"
        if svg_images.count():
            svg_images.first.scroll_into_view_if_needed()
            assert svg_images.first.evaluate("img => img.complete && img.naturalWidth > 0"), "the SVG image is empty"

        # a widget rendered: BackpropStepper's buttons
        stepper = page.locator(".jupyter-widgets.widget-vbox").filter(
            has=page.locator("button", has_text="Step")).first          # the first BackpropStepper
        step = stepper.locator("button", has_text="Step").first
        step.wait_for(state="visible", timeout=60_000)
        before = highlighted_node(stepper)
        step.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"{name}-2-stepper.png"))
        step.click()
        deadline = time.monotonic() + 60
        after = before
        while after == before and time.monotonic() < deadline:
            time.sleep(0.5)
            after = highlighted_node(stepper)
        page.screenshot(path=str(screenshots / f"{name}-3-stepped.png"))
        assert after != before, f"Step did not move the highlight (still on {before})"
    finally:
        page.screenshot(path=str(screenshots / f"{name}-last.png"), full_page=True)
        page.close()
        with capsys.disabled():
            print(f"\n[e2e] screenshots of {notebook}: {screenshots}")
