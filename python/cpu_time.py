"""CPU seconds of this process (every thread) plus given child processes, read from /proc on Linux."""

import os
import time

_TICKS = os.sysconf("SC_CLK_TCK")


def _child_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        # utime and stime are fields 14 and 15 of /proc/PID/stat; after the ")" they are 12 and 13.
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


class CpuClock:
    """Like the Node side's ResourceUsage: the whole process tree's CPU, so Pool workers count."""

    def __init__(self, child_pids):
        self.child_pids = list(child_pids)
        self.start = self._now()

    def _now(self):
        return time.process_time() + sum(_child_seconds(pid) for pid in self.child_pids)

    def seconds(self):
        return self._now() - self.start
