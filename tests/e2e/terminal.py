"""A real terminal for the end-to-end tests: a tmux server of our own running one command."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

NOW = "2026-11-26"
SIZE = (80, 24)
TIMEOUT = 30.0  # seconds for each step; a slow 2-core machine needs far less
POLL = 0.1
RENEWALS = Path(sys.executable).parent / "renewals"
NEEDS_TMUX = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed (CI installs it)")


class Terminal:
    """One tmux server of our own (its own socket, no user config) running one command."""

    def __init__(self, folder: Path) -> None:
        self.socket = f"renewals-e2e-{uuid.uuid4().hex[:12]}"
        self.config = folder / "tmux.conf"
        self.config.write_text("set -g remain-on-exit on\nset -g status off\n")
        self.exit_status = folder / "exit-status"
        self.env = {key: value for key, value in os.environ.items() if key != "TMUX"}
        self.socket_path: Path | None = None

    def tmux(self, *args: str) -> str:
        command = ["tmux", "-L", self.socket, "-f", str(self.config), *args]
        done = subprocess.run(command, capture_output=True, text=True, env=self.env,
                              timeout=TIMEOUT, check=True)
        return done.stdout

    def start(self, command: list[str], size: tuple[int, int] = SIZE) -> None:
        """Run `command` in a window of `size` (80x24); its exit status goes to the file
        `exit_status`."""
        columns, lines = size
        shell = f"{shlex.join(command)}; echo $? > {shlex.quote(str(self.exit_status))}"
        self.tmux("new-session", "-d", "-s", "app", "-x", str(columns), "-y", str(lines), shell)
        self.socket_path = Path(self.tmux("display-message", "-p", "#{socket_path}").strip())

    def press(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "app", key)
            if key == "Escape":  # else ESC and the next key arrive as one alt+key
                time.sleep(0.3)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def exit_code(self) -> int | None:
        """The command's exit status once it has ended, else None."""
        try:
            text = self.exit_status.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None

    def wait_for(self, condition: Callable[[str], bool], what: str) -> str:
        """Poll the screen until `condition(screen)` holds; fail with the screen after TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            text = self.screen()
            if condition(text):
                return text
            if self.exit_code() is not None or time.monotonic() > deadline:
                pytest.fail(f"gave up waiting for {what}; the screen:\n{text}")
            time.sleep(POLL)

    def wait_for_text(self, *texts: str) -> str:
        return self.wait_for(lambda screen: all(t in screen for t in texts), f"{texts}")

    def close(self) -> None:
        """Stop the server and remove its socket (tmux leaves the file behind)."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       env=self.env, timeout=TIMEOUT, check=False)
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)
