"""Wall time, CPU time and peak memory of one command, run as a fresh subprocess.

Peak memory is the larger of two figures:

- the peak RSS of the largest single process of the command's tree, as GNU
  `/usr/bin/time -f %M` reports it. The command runs under /usr/bin/time rather than
  being timed with `os.wait4` here because Linux starts the `ru_maxrss` of an exec'd
  child at the RSS of the process it was forked from: measured from the harness, every
  small command would show at least the harness's own memory. Without /usr/bin/time,
  `os.wait4`'s `ru_maxrss` is used, with that floor;
- the sum of the proportional set size (PSS) over the command's process tree, sampled
  every 100 ms, taken only while the tree has more than one process: a build that forks
  workers uses the sum of them, which `ru_maxrss` cannot show, and PSS counts pages shared
  by forked workers once instead of once per worker. Reading a process's PSS makes the
  kernel walk its page tables (about 3 ms for a 300 MiB process here), on the cores the
  command runs on: sampled every 20 ms, three processes cost the command some 10% of its
  wall time in a one-article build.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_INTERVAL = 0.1
GNU_TIME = "/usr/bin/time"


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured run."""

    wall: float
    """Seconds from spawn to exit."""
    peak_mib: float
    cpu: float
    """User + system CPU seconds of the process tree: far less sensitive than wall time to the
    other load of a shared machine, though blind to how well the work spreads over cores."""


class CommandFailed(RuntimeError):
    """A measured command exited non-zero; the message carries the end of its log."""


def children(pid: int) -> list[int]:
    """Direct children of `pid` over all its threads (empty once it is gone)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return found


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants at this instant."""
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children(pid))
    return tree


def pss_kib(pid: int) -> int:
    """Proportional set size of one process in KiB, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process tree while it has several processes."""

    def __init__(self, pid: int, skip_root: bool) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.skip_root = skip_root
        """The root is /usr/bin/time, not part of the command."""
        self.peak_kib = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_INTERVAL):
            tree = process_tree(self.pid)[1 if self.skip_root else 0:]
            # A single process is covered exactly by ru_maxrss; reading smaps costs time.
            if len(tree) > 1:
                self.peak_kib = max(self.peak_kib, sum(pss_kib(p) for p in tree))

    def stop(self) -> None:
        self._done.set()
        self.join()


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def read_gnu_time(stats: Path) -> tuple[int, float]:
    """(peak RSS in KiB, user + system seconds) from the last line `/usr/bin/time -f "%M %U %S"` wrote."""
    peak, user, system = stats.read_text().splitlines()[-1].split()
    return int(peak), float(user) + float(system)


def run_measured(argv: list[str], cwd: Path, log: Path) -> Sample:
    """Run `argv` in `cwd` with output appended to `log`; raise CommandFailed on a non-zero exit."""
    stats = log.with_name(log.name + ".time")
    gnu_time = os.path.exists(GNU_TIME)
    command = [GNU_TIME, "-f", "%M %U %S", "-o", str(stats), *argv] if gnu_time else argv
    with open(log, "ab") as out:
        out.write(f"$ {' '.join(argv)}  (in {cwd})\n".encode())
        out.flush()
        # Untimed: what the step before wrote (a project copied back, the
        # other tool's site or cache) goes to disk now, not while this
        # command runs, which the kernel's write-back would slow down.
        os.sync()
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, skip_root=gnu_time)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
    # Reaped here: tell Popen so it does not wait for the pid again.
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise CommandFailed(f"{' '.join(argv)} exited {proc.returncode} in {cwd}:\n{tail(log)}")
    # Linux reports ru_maxrss in KiB, as GNU time's %M.
    peak_kib, cpu = read_gnu_time(stats) if gnu_time else (usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
    return Sample(wall=wall, peak_mib=max(peak_kib, sampler.peak_kib) / 1024, cpu=cpu)


def run_quiet(argv: list[str], cwd: Path, log: Path) -> None:
    """Run an untimed preparation step; raise CommandFailed on a non-zero exit."""
    run_measured(argv, cwd, log)
