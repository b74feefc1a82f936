#!/usr/bin/env python3
"""Records when the files of a folder are opened and closed (Linux inotify), for bench/validate_run.

Usage: open_times.py DIR OUT

Watches DIR (not recursively) and appends one line per event to OUT as it happens:
    <CLOCK_MONOTONIC ns> <TAB> open|close <TAB> <file name>
Writes "ready" to OUT.ready once the watch is in place, and runs until it gets SIGTERM or SIGINT.

The oracle opens each document when it starts on it (Saxon's doc()), so the time between the openings
of two consecutive documents is the time the oracle spent on the first of them, measured inside one
JVM run. inotify events carry no time stamp: each is stamped when read, a few microseconds after the
fact unless this process waits for a CPU (it is not pinned, so it normally runs beside the
benchmark, not on its CPU).
"""

import ctypes
import ctypes.util
import os
import signal
import struct
import sys
import time

IN_OPEN = 0x00000020
IN_CLOSE_WRITE = 0x00000008
IN_CLOSE_NOWRITE = 0x00000010
EVENT_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    folder, out_path = sys.argv[1], sys.argv[2]
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    fd = libc.inotify_init1(0)
    if fd < 0:
        print(f"open_times.py: inotify_init1: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 1
    mask = IN_OPEN | IN_CLOSE_NOWRITE | IN_CLOSE_WRITE
    if libc.inotify_add_watch(fd, os.fsencode(folder), mask) < 0:
        print(f"open_times.py: inotify_add_watch {folder}: {os.strerror(ctypes.get_errno())}",
              file=sys.stderr)
        return 1

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(out_path, "w", buffering=1) as out:
        with open(out_path + ".ready", "w") as ready:
            ready.write("ready\n")
        while True:
            data = os.read(fd, 64 * 1024)
            now = time.monotonic_ns()
            pos = 0
            while pos < len(data):
                _, ev_mask, _, name_len = EVENT_HEADER.unpack_from(data, pos)
                name = data[pos + EVENT_HEADER.size:pos + EVENT_HEADER.size + name_len]
                pos += EVENT_HEADER.size + name_len
                kind = "open" if ev_mask & IN_OPEN else "close"
                file_name = name.rstrip(b"\0").decode(errors="replace")
                out.write(f"{now}\t{kind}\t{file_name}\n")


if __name__ == "__main__":
    sys.exit(main())
