"""A real browser for the playground's tests: Playwright driving Debian's Chromium (never a downloaded one)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.botprocess import free_port

CHROMIUM = os.environ.get("UNMENTOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
UNMENTOR = str(Path(sys.executable).parent / "unmentor")
ROOT = Path(__file__).resolve().parent.parent
# UNMENTOR_PICTURES=docs/pictures keeps the README's pictures; otherwise screenshots go to a temporary folder.
PICTURES = os.environ.get("UNMENTOR_PICTURES")


def launch_chromium():
    """(playwright, browser); skips, with the one reason allowed, when Chromium isn't installed."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium isn't installed at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return playwright, browser


class PlaygroundProcess:
    """`unmentor playground` exactly as a newcomer runs it: no Slack settings, in a folder of its own."""

    def __init__(self, folder: Path, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "UNMENTOR_", "DATABASE_URL", "PORT"))}
        self.log = folder / "playground.log"
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen([UNMENTOR, "playground", "--port", str(self.port), "--fresh", *args],
                                        cwd=folder, env={**env, "PYTHONUNBUFFERED": "1"},
                                        stdout=self._log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"unmentor playground exited {self.process.returncode}:\n{self.log.read_text()}")
            if "open http://" in self.log.read_text():
                return
            time.sleep(0.1)
        raise RuntimeError("unmentor playground did not start:\n" + self.log.read_text())

    def state(self, viewer: str = "") -> dict:
        with urllib.request.urlopen(f"{self.url}api/state?as={viewer}&since=999999999", timeout=10) as response:
            return json.load(response)

    def post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(f"{self.url}api/{path}", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)

    def interrupt(self, timeout: float = 15) -> int:
        """Ctrl-C, as a person stops it; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()
        return self.process.returncode


def save_picture(page, name: str, folder: Path, keep_as: str | None = None) -> Path:
    """Each step's screenshot; the README's pictures also go to UNMENTOR_PICTURES when it is set."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    if keep_as and PICTURES:
        target = ROOT / PICTURES
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / keep_as)
    return path
