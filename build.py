#!/usr/bin/env python3
"""Build the handbook: ``python3 build.py`` makes every edition's PDFs in output/.

Commands: build (default), check, watch, preview, new, derive, test. Run ``python3 build.py --help`` or ``build.py COMMAND --help``;
the commands themselves are :mod:`handbook.cli` (also installed as the ``handbook`` command).
On a fresh machine the first run creates ``.venv/`` with the pinned requirements (only the standard
library is needed to start), then runs itself inside it; later runs start at once.

Exit codes: 0 success; 1 the content has errors (or warnings with --strict); 2 bad command line;
3 the environment could not be set up; 4 an internal error (a bug).
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements-dev.txt"


# -- environment -------------------------------------------------------------------------------
def _requirements_digest() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "requirements-dev.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _in_project_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_environment() -> None:
    """Re-run inside .venv (creating or updating it first) unless already in a usable environment.

    Set HANDBOOK_NO_VENV=1 to use the current interpreter as it is (you installed the requirements)."""
    if os.environ.get("HANDBOOK_NO_VENV") == "1":
        return
    if _in_project_venv():
        return
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements.sha256"
    digest = _requirements_digest()
    if not python.exists() or not stamp.exists() or stamp.read_text().strip() != digest:
        import subprocess

        print("setting up .venv with the pinned requirements (first run only) ...", file=sys.stderr, flush=True)
        try:
            if not python.exists():
                subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "-r", str(REQUIREMENTS)], check=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"error: could not set up .venv: {exc}", file=sys.stderr)
            sys.exit(3)
        stamp.write_text(digest)
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


if __name__ == "__main__":
    ensure_environment()
    sys.path.insert(0, str(ROOT))
    from handbook.cli import run_process

    run_process(sys.argv[1:], ROOT, "build.py")
