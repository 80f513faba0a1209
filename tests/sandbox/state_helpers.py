"""Folders the sandbox cannot write to, for the `--state` tests.

As an ordinary user a folder without write permission does it. As root (CI, the
development machines) permissions do not stop writes, so the folder is a small tmpfs
mounted there, remounted read-only on demand; the error is then the real EROFS
("Read-only file system"). Tests skip when neither is possible.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


class LockableFolder:
    """A folder that starts writable and can be made unwritable (and back)."""

    def __init__(self, path: Path, *, mounted: bool) -> None:
        self.path = path
        self._mounted = mounted

    def lock(self) -> None:
        if self._mounted:
            _run("mount", "-o", "remount,ro", str(self.path))
        else:
            self.path.chmod(0o555)

    def unlock(self) -> None:
        if self._mounted:
            _run("mount", "-o", "remount,rw", str(self.path))
        else:
            self.path.chmod(0o755)


@contextmanager
def lockable_folder(parent: Path) -> Iterator[LockableFolder]:
    path = parent / "locked"
    path.mkdir()
    if os.geteuid() != 0:
        folder = LockableFolder(path, mounted=False)
        try:
            yield folder
        finally:
            folder.unlock()
        return
    try:
        _run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path))
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("running as root without permission to mount a tmpfs: cannot make a folder unwritable")
    try:
        yield LockableFolder(path, mounted=True)
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)
