"""Runs the real `unmentor` program as a separate process, as a deployment would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import BOT_TOKEN, SIGNING_SECRET

UNMENTOR = str(Path(sys.executable).parent / "unmentor")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(database_url: str, api_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "UNMENTOR_", "DATABASE_URL", "PORT"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict, cwd: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([UNMENTOR, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


class BotServer:
    """`unmentor serve` on a free port, stopped at the end."""

    def __init__(self, env: dict, cwd: str, *args: str, verbose: bool = False, host: str | None = "127.0.0.1"):
        """host=None starts it without --host, as an operator would who didn't say."""
        self.port = free_port()
        self.log = Path(cwd) / f"serve-{self.port}.log"
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(
            [UNMENTOR, *(["-v"] if verbose else []), "serve", *(["--host", host] if host else []),
             "--port", str(self.port), *args],
            env=env, cwd=cwd, stdout=self._log_file, stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}/slack/events"
        self.health_url = f"http://127.0.0.1:{self.port}/healthz"
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"unmentor serve exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.health_url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.02)  # a refused connection costs nothing: look again soon
        raise RuntimeError("unmentor serve did not come up:\n" + self.log.read_text())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log_file.close()
