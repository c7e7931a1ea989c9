"""Worker processes for the rewrite stage: forked, so they inherit the run's index
without pickling it, and made to behave like part of the main process.

They never run the main process's signal handlers (the pool ends them with SIGTERM, and
Ctrl-C is the main process's to handle), and they never outlive it: on Linux the kernel
kills them when it ends (even by SIGKILL), elsewhere each watches its parent.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time


@contextlib.contextmanager
def worker_pool(jobs: int):
    """A fork pool of `jobs` such workers. SIGINT and SIGTERM stay blocked from before the
    fork until each worker has replaced the inherited handlers, so no signal can reach
    the parent's handler in a worker."""
    import multiprocessing

    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pool = multiprocessing.get_context("fork").Pool(jobs, _start_worker, (os.getpid(), held))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    with pool:
        yield pool


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _start_worker(parent: int, mask: set) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the worker could ask to follow it
        os._exit(1)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _die_with_parent() -> bool:
    """Linux: the kernel kills this process when its parent ends, even by SIGKILL."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """Elsewhere: end this worker within a second of its parent."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
