"""A progress bar for the import commands: one line on stderr, redrawn with \\r."""

import sys


class ProgressBar:
    def __init__(self, label: str, stream=None, width: int = 30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        total = max(total, 1)
        filled = self.width * done // total
        percent = 100 * done // total
        if percent == self._last and done != total:
            return
        self._last = percent
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d} % ({done}/{total})")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
