"""Shared fixtures: the default book built once through the real command, and a scratch-project maker."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_build(*args: str, cwd: Path = ROOT, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py as a user would (same interpreter, no venv bootstrap) and capture its output."""
    env = {**os.environ, "HANDBOOK_NO_VENV": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """output/ of the default book, built once per test session with the real command."""
    out = tmp_path_factory.mktemp("output")
    result = run_build("--output", str(out), "--strict")
    assert result.returncode == 0, result.stderr + result.stdout
    return out


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the default content in a scratch folder, for tests that break it."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path
