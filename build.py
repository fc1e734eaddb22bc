#!/usr/bin/env python3
"""Build the handbook: ``python3 build.py`` makes every edition's PDFs in output/.

Commands: build (default), check, test. Run ``python3 build.py --help`` or ``build.py COMMAND --help``.
On a fresh machine the first run creates ``.venv/`` with the pinned requirements (only the standard
library is needed to start), then runs itself inside it; later runs start at once.

Exit codes: 0 success; 1 the content has errors (or warnings with --strict); 2 bad command line;
3 the environment could not be set up.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
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


# -- command line ------------------------------------------------------------------------------
def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Turn a Markdown handbook (content/) into print-ready PDFs (output/).",
        epilog="Exit codes: 0 ok, 1 content errors, 2 bad command line, 3 environment setup failed.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--content", metavar="DIR", type=Path, default=ROOT / "content",
                       help="the book's content folder (default: content/)")
        p.add_argument("--variant", metavar="NAME", action="append", default=[],
                       help="build only this edition, e.g. zh-Hant (repeatable; default: all)")
        p.add_argument("--strict", action="store_true", help="treat warnings as errors (CI uses this)")
        p.add_argument("--debug", action="store_true", help="show Python tracebacks for unexpected errors")
        p.add_argument("-q", "--quiet", action="store_true", help="print only problems")

    build = sub.add_parser("build", help="build the PDFs (the default command)",
                           description="Build every edition's PDFs: handbook, booklet and worksheet.")
    common(build)
    build.add_argument("--output", metavar="DIR", type=Path, default=ROOT / "output",
                       help="where the PDFs go, one folder per edition (default: output/)")
    build.add_argument("--only", metavar="OUTPUT", action="append", default=[],
                       choices=["handbook", "booklet", "worksheet"], help="make only this output (repeatable)")
    build.add_argument("--theme", metavar="NAME", help="use templates/themes/NAME.toml instead of the book's theme")
    build.add_argument("--fill", metavar="FILE", type=Path,
                       help="make only pre-filled worksheets from FILE: one record (.yaml/.json) -> "
                            "worksheet-filled.pdf; many (.csv rows, or a list) -> worksheet-filled/NNNN.pdf")
    build.add_argument("--fill-merge", action="store_true",
                       help="with --fill: put all the records' worksheets in one PDF for printing "
                            "(worksheet-filled.pdf, without form fields)")
    check = sub.add_parser("check", help="check the content without writing PDFs",
                           description="Read, parse and check every edition; report all problems.")
    common(check)
    test = sub.add_parser("test", help="run the test suite (pytest)", description="Run the project's tests.")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments passed to pytest")
    return parser


def main(argv: list[str]) -> int:
    parser = make_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["build", *argv]
    args = parser.parse_args(argv)
    if getattr(args, "fill_merge", False) and not args.fill:
        parser.error("--fill-merge needs --fill FILE")
    if args.command == "test":
        return subprocess.call([sys.executable, "-m", "pytest", *args.pytest_args], cwd=ROOT)
    return run_build(args)


def run_build(args) -> int:
    from handbook.diagnostics import HandbookError
    from handbook.pipeline import BuildOptions, build, check

    say = (lambda message: None) if args.quiet else (lambda message: print(message, flush=True))
    options = BuildOptions(
        content_dir=args.content.resolve(),
        output_dir=getattr(args, "output", ROOT / "output").resolve(),
        variants=tuple(args.variant),
        outputs=tuple(getattr(args, "only", ())),
        theme=getattr(args, "theme", None),
        strict=args.strict,
        fill=args.fill.resolve() if getattr(args, "fill", None) else None,
        fill_merge=getattr(args, "fill_merge", False),
    )
    started = time.perf_counter()
    try:
        result = (check if args.command == "check" else build)(options, progress=say)
    except HandbookError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        errors = sum(d.severity == "error" for d in exc.diagnostics)
        print(f"build failed: {errors} error(s), {len(exc.diagnostics) - errors} warning(s); "
              "previous output left untouched", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug of ours: say so plainly, with a traceback only on request
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return 1
    for diagnostic in result.warnings:
        print(diagnostic, file=sys.stderr)
    say(f"done in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    ensure_environment()
    sys.exit(main(sys.argv[1:]))
