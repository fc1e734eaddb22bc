"""Running independent jobs in forked processes (2 cores: about half the time), and the one budget for it.

Three steps may use a second process: the editions of a build (pipeline), drawing many glyphs (the fonts)
and breaking a big book's paragraphs on a first build (layout). They all go through :func:`in_parallel`,
and only the process that started the build forks: a job already running in a forked process runs its
own steps in itself, so a build never has more processes than editions, whatever nests inside.
"""
from __future__ import annotations

import os
import pickle
import tempfile
import threading
import traceback
from pathlib import Path

_STARTED_IN = os.getpid()  # the process that imported the package: the only one that forks


def may_fork() -> bool:
    """Whether this process may start workers: not inside a worker, not beside threads (forking a
    process that runs threads can deadlock it), and not where fork does not exist or HANDBOOK_JOBS=1."""
    return (os.getpid() == _STARTED_IN and hasattr(os, "fork") and threading.active_count() == 1
            and os.environ.get("HANDBOOK_JOBS") != "1")


def in_parallel(function, items: list, enabled: bool = True) -> list:
    """``[function(item) for item in items]``, each item but the first in a forked child process.

    Results come back pickled through a temporary file. An exception in a child is raised here as
    itself where it can be pickled (else as a RuntimeError), with the child's traceback as its cause.
    One process does everything for a single item, when ``enabled`` is false, or when
    :func:`may_fork` says no."""
    if not enabled or len(items) < 2 or not may_fork():
        return [function(item) for item in items]
    children = []
    for item in items[1:]:
        handle, path = tempfile.mkstemp(prefix="handbook-job-", suffix=".pickle")
        pid = os.fork()
        if pid == 0:  # the child: do one item, leave its result in the file, exit without cleanup
            status = 0
            try:
                with os.fdopen(handle, "wb") as out:
                    try:
                        pickle.dump(("ok", function(item)), out)
                    except BaseException as exc:
                        pickle.dump(("error", _picklable(exc), traceback.format_exc()), out)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(handle)
        children.append((pid, Path(path)))
    results = [function(items[0])]
    failure = None
    for pid, path in children:
        os.waitpid(pid, 0)
        try:
            outcome = pickle.loads(path.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError):
            outcome = ("error", None, "a worker process died without a result")
        finally:
            path.unlink(missing_ok=True)
        if outcome[0] == "ok":
            results.append(outcome[1])
        else:
            failure = failure or outcome
    if failure:
        _, exc, text = failure
        raise (exc or RuntimeError("a worker process failed")) from RuntimeError(f"in a worker process:\n{text}")
    return results


def _picklable(exc: BaseException) -> BaseException | None:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 -- an exception that cannot travel is reported by its traceback
        return None
