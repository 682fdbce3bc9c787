"""The progress line that `process` shows on a terminal."""

from __future__ import annotations

import io

from monitron_sap.cli._common import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_counts_finished_files() -> None:
    progress = ProgressLine(Terminal(), total_files=4)
    for source in ("a.json", "a.json", "b.json", "c.json"):
        progress.note_source(source)
        progress.update()

    line = progress.render()

    assert line.startswith("[############------------] 2/4 files")
    assert line.endswith("4 records")


def test_no_bar_without_file_count() -> None:
    progress = ProgressLine(Terminal(), total_files=None)
    progress.update()

    assert progress.render() == "processed 1 records"


def test_terminal_gets_updates_every_interval() -> None:
    stream = Terminal()
    progress = ProgressLine(stream, total_files=1)
    progress.note_source("a.json")
    for _ in range(ProgressLine.EVERY):
        progress.update()

    assert "\r[" in stream.getvalue()
    assert f"{ProgressLine.EVERY} records" in stream.getvalue()


def test_pipe_gets_no_progress() -> None:
    stream = io.StringIO()
    progress = ProgressLine(stream, total_files=1)
    for _ in range(ProgressLine.EVERY * 2):
        progress.update()
    progress.close()

    assert stream.getvalue() == ""
