"""Shared fixtures: the default book built once through the real command, and a scratch-project maker."""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_build(*args: str, cwd: Path = ROOT, env_extra: dict | None = None,
              subprocess_only: bool = False) -> subprocess.CompletedProcess:
    """Run the command as a user would and capture its output and exit code.

    In this process, through the same ``handbook.cli.main`` that build.py calls (a process start and
    the imports cost about half a second a build); in a fresh process, as ``build.py`` itself, when the
    test changes the environment or the working folder, or asks for it (``subprocess_only``)."""
    if env_extra or cwd != ROOT or subprocess_only:
        env = {**os.environ, "HANDBOOK_NO_VENV": "1", **(env_extra or {})}
        return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600)
    from handbook.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args), ROOT, "build.py")
        except SystemExit as exit:  # argparse: --help, a bad command line
            code = exit.code if isinstance(exit.code, int) else 1
    return subprocess.CompletedProcess(["build.py", *args], code, out.getvalue(), err.getvalue())


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


def build_chapter(folder: Path, text: str, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """The default book copied into ``folder`` with ``text`` as its last zh-Hans chapter, its handbook built:
    (the command's result, the PDF)."""
    shutil.copytree(ROOT / "content", folder / "content")
    (folder / "content" / "zh-Hans" / "10-summary.md").write_text(text, encoding="utf-8")
    result = run_build("--content", str(folder / "content"), "--output", str(folder / "out"), "--variant", "zh-Hans",
                       "--only", "handbook", *args)
    return result, folder / "out" / "zh-Hans" / "handbook.pdf"
