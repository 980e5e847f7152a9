"""A progress bar for the management commands, drawn only on a terminal."""

from __future__ import annotations

import time


class ProgressBar:
    """``update(done)`` redraws ``[#####.....]  50%  500/1,000  12 s`` on one line of a TTY.

    On a pipe or a log file nothing is drawn (no control characters in logs); ``finish``
    ends the line.
    """

    WIDTH = 30

    def __init__(self, stream, total: int, label: str = "") -> None:
        self.stream = stream
        self.total = max(total, 0)
        self.label = label
        self.done = 0
        self.started = time.monotonic()
        isatty = getattr(getattr(stream, "_out", stream), "isatty", None)
        self.enabled = bool(isatty and isatty())

    def update(self, done: int) -> None:
        self.done = done
        if not self.enabled:
            return
        share = min(done / self.total, 1.0) if self.total else 1.0
        filled = int(self.WIDTH * share)
        elapsed = time.monotonic() - self.started
        line = (
            f"\r{self.label}[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%}  "
            f"{done:,}/{self.total:,}  {elapsed:,.0f} s"
        )
        self.stream.write(line, ending="")
        self.stream.flush()

    def advance(self, by: int) -> None:
        self.update(self.done + by)

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("")
