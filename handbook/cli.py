"""The command line: ``build.py`` and the installed ``handbook`` command are this module.

Commands: build (default), check, watch, preview, new, derive, test. Each parses its arguments into
:class:`pipeline.BuildOptions`, runs one orchestration function and reports. ``root`` is where the
defaults live: the project folder for ``build.py`` (content/, output/, .cache/), the current folder for
the installed command.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# -- command line ------------------------------------------------------------------------------
EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_SETUP, EXIT_INTERNAL = 0, 1, 2, 3, 4
EPILOG = ("exit codes: 0 ok; 1 the content has errors (or warnings, with --strict); 2 bad command line; "
          "3 the environment could not be set up; 4 an internal error (a bug: please report it)")


def make_parser(root: Path, prog: str = "handbook") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Turn a Markdown handbook (content/) into print-ready PDFs (output/). "
                    "With no command, builds everything.",
        epilog=EPILOG,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=description, epilog=EPILOG)

    def content(p: argparse.ArgumentParser) -> None:
        p.add_argument("--content", metavar="DIR", type=Path, default=root / "content",
                       help="the book's content folder, with book.toml (default: content/)")
        p.add_argument("--variant", metavar="NAME", action="append", default=[],
                       help="only this edition, e.g. zh-Hant (repeatable; default: all)")
        p.add_argument("--theme", metavar="NAME", help="use the theme NAME (the book's themes/NAME.toml, else "
                                                          "templates/themes/NAME.toml) instead of the book's theme")
        p.add_argument("--strict", action="store_true", help="treat warnings as errors (CI uses this)")
        p.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
        loud = p.add_mutually_exclusive_group()
        loud.add_argument("-q", "--quiet", action="store_true", help="print only problems")
        loud.add_argument("-v", "--verbose", action="store_true",
                          help="also print stage timings and the review list of derived text")

    def outputs(p: argparse.ArgumentParser) -> None:
        p.add_argument("--output", metavar="DIR", type=Path, default=root / "output",
                       help="where the PDFs go, one folder per edition (default: output/)")
        p.add_argument("--only", metavar="OUTPUT", action="append", default=[],
                       choices=["handbook", "booklet", "worksheet"], help="make only this output (repeatable)")

    build = command("build", "build the PDFs (the default command)",
                    "Build every edition's PDFs: the A5 handbook, the imposed booklet and the worksheet.")
    content(build)
    outputs(build)
    build.add_argument("--force", action="store_true",
                       help="make every output again, even those whose inputs have not changed")
    build.add_argument("--fill", metavar="FILE", type=Path,
                       help="make only pre-filled worksheets from FILE: one record (.yaml/.json) -> "
                            "worksheet-filled.pdf; many (.csv rows, or a list) -> worksheet-filled/NNNN.pdf; "
                            "filled worksheets of an earlier run that this one did not write are removed")
    build.add_argument("--fill-merge", action="store_true",
                       help="with --fill: put all the records' worksheets in one PDF for printing "
                            "(worksheet-filled.pdf, without form fields; worksheet-filled/ is left as it is)")
    check = command("check", "check the content without writing PDFs",
                    "Read, parse and check every edition, report all problems (structure that differs between "
                    "editions, characters of the other script, missing glyphs) and list derived text to review.")
    content(check)
    watch = command("watch", "rebuild whenever content, templates or the theme change",
                    "Build, then watch content/ and templates/ and rebuild after each change. A failed build "
                    "prints its errors and keeps the last good PDFs; press Ctrl-C to stop.")
    content(watch)
    outputs(watch)
    watch.add_argument("--for", dest="seconds", metavar="SECONDS", type=float,
                       help="stop after this many seconds (for scripts)")
    preview = command("preview", "render pages of the PDFs to PNG images",
                      "Build, then render chosen pages of every PDF and a contact sheet of each, with PDFium "
                      "(no system tools needed).")
    content(preview)
    outputs(preview)
    preview.add_argument("--pages", default="1-2", metavar="SPEC", type=page_spec,
                         help="pages to render, e.g. 1,3,5-7 or all (default: 1-2)")
    preview.add_argument("--dpi", type=dpi, default=80,
                         help=f"resolution of the page images, {DPI_RANGE[0]} to {DPI_RANGE[1]} (default: 80)")
    preview.add_argument("--to", metavar="DIR", type=Path, help="where the PNGs go (default: <output>/preview)")
    new = command("new", "start a new book in a folder",
                  "Write a new book (book.toml, a chapter per edition, a worksheet) that builds at once with "
                  "'build.py --content DIR'.")
    new.add_argument("folder", type=Path, help="the new book's folder (must not exist, or be empty)")
    new.add_argument("--title", help="the book's title (default: 新手册, or the language's: New handbook …)")
    new.add_argument("--lang", choices=("en", "zh-Hans", "zh-Hant"),
                     help="a book of this one edition (default: zh-Hans, with zh-Hant derived for Taiwan)")
    new.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    derive = command("derive", "write derived chapters of an edition out for an editor to review",
                     "Convert the source edition's chapters (OpenCC, the phrase list, overrides, quote marks) "
                     "into each edition that has an 'opencc' setting, and write them as files to review and keep.")
    content(derive)
    derive.add_argument("--force", action="store_true", help="also overwrite chapters that exist")
    test = command("test", "run the test suite (pytest)", "Run the project's tests with pytest.")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments passed to pytest")
    return parser


DPI_RANGE = (20, 600)  # below, pages too small to crop; above, an A4 page is a bitmap PDFium may refuse


def dpi(text: str) -> float:
    """--dpi: a resolution in DPI_RANGE (checked here, so that a bad one fails before a build)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not DPI_RANGE[0] <= value <= DPI_RANGE[1]:  # also NaN
        raise argparse.ArgumentTypeError(f"{text} is outside {DPI_RANGE[0]} to {DPI_RANGE[1]}")
    return value


def page_spec(text: str):
    """--pages: the page ranges (None: all), checked before a build; past the end is checked after it."""
    from handbook.preview import parse_spec

    try:
        return parse_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def folder_argument(parser: argparse.ArgumentParser, args) -> None:
    """--output and --to name folders: a file in the way (README.md, /dev/null, or a file among the folders
    above) is a bad command line, reported before a build."""
    from handbook.atomic import not_a_folder

    for option in ("output", "to"):
        path = getattr(args, option, None)
        blocker = not_a_folder(path) if path is not None else None
        if blocker is not None:
            parser.error(f"argument --{option}: {blocker} is not a folder")


def main(argv: list[str], root: Path | None = None, prog: str = "handbook") -> int:
    """Run one command line; returns the exit code. ``prog``: the command's name in messages."""
    root = Path.cwd() if root is None else root
    parser = make_parser(root, prog)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["build", *argv]
    if argv[0] == "test" and not {"-h", "--help"} & set(argv[1:2]):
        import subprocess  # pytest's own options (-k, -x …) go to pytest as they are: argparse would take them

        return subprocess.call([sys.executable, "-m", "pytest", *argv[1:]], cwd=root)
    args = parser.parse_args(argv)
    if getattr(args, "fill_merge", False) and not args.fill:
        parser.error("--fill-merge needs --fill FILE")
    folder_argument(parser, args)
    if args.command == "new":
        return run_new(args, prog)
    return guarded(args, COMMANDS[args.command], root)


def guarded(args, run, root: Path) -> int:
    """Run a command; content problems print as located diagnostics, our bugs as one plain line."""
    from handbook.diagnostics import HandbookError

    try:
        return run(args, options_from(args, root))
    except HandbookError as exc:
        report(exc.diagnostics)
        errors = sum(d.severity == "error" for d in exc.diagnostics)
        kept = getattr(exc, "previous_kept", True)  # pipeline.WriteError: writing stopped part-way
        print(f"failed: {errors} error(s), {len(exc.diagnostics) - errors} warning(s); "
              f"{'previous output left untouched' if kept else 'some outputs may already be new'}", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:  # output piped into a program that stopped reading (e.g. head)
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


def options_from(args, root: Path):
    """The command line as the API's options (:func:`handbook.options`)."""
    import handbook

    return handbook.options(args.content, getattr(args, "output", root / "output"), editions=args.variant,
                            outputs=getattr(args, "only", ()), theme=args.theme, strict=args.strict,
                            force=getattr(args, "force", False), fill=getattr(args, "fill", None),
                            fill_merge=getattr(args, "fill_merge", False), root=root)


def report(diagnostics) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def say(args):
    return (lambda message: None) if args.quiet else (lambda message: print(message, flush=True))


def run_build(args, options) -> int:
    from handbook.pipeline import build

    started = time.perf_counter()
    result = build(options, progress=say(args))
    report(result.warnings)
    if args.verbose:
        report(result.notes)
        for stage, seconds in result.timings.items():
            if ":" in stage and not stage.startswith("/"):
                print(f"  {stage:<22} {seconds:.3f} s")
    elif result.notes:
        say(args)(f"{len(result.notes)} derived conversion(s) to review: run 'build.py check'")
    say(args)(f"done in {time.perf_counter() - started:.2f} s")
    return EXIT_OK


def run_check(args, options) -> int:
    from handbook.pipeline import check

    result = check(options, progress=say(args))
    report(result.warnings + result.notes)
    say(args)(f"{len(result.warnings)} warning(s), {len(result.notes)} conversion(s) to review")
    return EXIT_OK


def run_watch(args, options) -> int:
    from handbook.diagnostics import HandbookError
    from handbook.pipeline import build
    from handbook.watch import watch

    def rebuild(changed: list[str]) -> None:
        if changed:
            say(args)(f"changed: {', '.join(Path(p).name for p in changed[:3])}{' ...' if len(changed) > 3 else ''}")
        started = time.perf_counter()
        try:
            result = build(options, progress=say(args))
            report(result.warnings)
            say(args)(f"rebuilt in {time.perf_counter() - started:.2f} s; watching (Ctrl-C to stop)")
        except HandbookError as exc:
            report(exc.diagnostics)
            print("build failed; the last good PDFs are kept; watching (Ctrl-C to stop)", file=sys.stderr, flush=True)

    deadline = time.monotonic() + args.seconds if args.seconds else None
    roots = [options.content_dir, options.templates_dir]
    watch(roots, rebuild, until=lambda: deadline is not None and time.monotonic() > deadline,
          ignore=[options.output_dir, options.cache_dir])  # what a build writes is never a change
    return EXIT_OK


def run_preview(args, options) -> int:
    """Build, then render. Every --pages range must start within the longest PDF (one spec serves PDFs of
    different lengths: each renders the pages it has), checked before any image is written."""
    from handbook.pipeline import build
    from handbook.preview import contact_sheet, page_count, pages_of, render

    result = build(options, progress=lambda message: None)
    report(result.warnings)
    target = (args.to or options.output_dir / "preview").resolve()
    counts = {pdf: page_count(pdf) for pdf in sorted(p for p in result.written + result.up_to_date
                                                     if p.suffix == ".pdf")}
    if counts and args.pages:
        longest = max(counts, key=counts.get)
        beyond = [first for first, _ in args.pages if first > counts[longest]]
        if beyond:
            which = "the longest PDF, " if len(counts) > 1 else ""
            shown = f"{longest.parent.name}/{longest.name}{',' if which else ''}"
            print(f"error: --pages: there is no page {beyond[0]}: {which}{shown} has {counts[longest]} page(s)",
                  file=sys.stderr)
            return EXIT_USAGE
    for pdf, count in counts.items():
        stem = f"{pdf.parent.name}-{pdf.stem}"
        try:
            images = render(pdf, pages_of(args.pages, count), args.dpi, target, stem)
            sheet = contact_sheet(pdf, target / f"{stem}-contact.png")
        except OSError as exc:
            print(f"error: could not write the previews into {target}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_CONTENT
        say(args)(f"{pdf.parent.name}/{pdf.name}: {len(images)} page image(s) and {sheet.name} in {target}")
    return EXIT_OK


def run_derive(args, options) -> int:
    from handbook.pipeline import derive_files

    written, notes = derive_files(options, force=args.force)
    if not args.quiet:
        report(notes)
    for path in written:
        say(args)(f"wrote {path}")
    say(args)(f"{len(written)} file(s) written, {len(notes)} conversion(s) to review")
    return EXIT_OK


def run_new(args, prog: str) -> int:
    from handbook.scaffold import next_step, scaffold

    try:
        written = scaffold(args.folder, args.title, args.lang)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        say(args)(f"wrote {path}")
    say(args)(f"next: {next_step(prog, args.folder)}")
    return EXIT_OK


COMMANDS = {"build": run_build, "check": run_check, "watch": run_watch, "preview": run_preview,
            "derive": run_derive}


# A build makes many objects and frees few before it ends. As a process of its own (build.py, the installed
# command), it runs the cyclic collector less often and does not tear down a heap the system is about to
# take back. bench/benchmark.py: a 1,271-page first build 5.3 -> 4.2 s, the nine default outputs warm
# 0.87 -> 0.77 s at the same peak memory. A cold build's peak is about 40 MiB higher (fontTools' cycles wait
# longer while glyphs are drawn; collecting after each face saves that memory but costs 0.3 s). Callers of
# main() (the tests, the Python API) are left alone.
GC_THRESHOLDS = (50_000, 50, 100)  # Python's own: (700, 10, 10)


def run_process(argv: list[str], root: Path | None = None, prog: str = "handbook") -> None:
    """Run one command line as the whole process, and end the process with its exit code."""
    import gc
    import os

    gc.set_threshold(*GC_THRESHOLDS)
    try:
        code = main(argv, root, prog)
    except SystemExit as exc:  # argparse: --help, or a bad command line
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else EXIT_USAGE
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    if sys.getprofile() or sys.gettrace():  # python -m cProfile, coverage: they write their report at exit
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or a reader that went away
            pass
    os._exit(code)


def console() -> None:
    """The installed ``handbook`` command (pyproject.toml): defaults relative to the current folder."""
    run_process(sys.argv[1:])
