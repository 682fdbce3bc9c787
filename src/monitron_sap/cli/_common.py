"""Helpers shared by the commands: options, settings, exit codes and the run summary.

Exit codes of every command:

* 0: done; every record was notified, correlated, updated or skipped with a reason.
* 1: done, but some records were invalid, failed, dead-lettered or held by another run.
* 2: invalid usage or configuration (also click's code for usage errors).
* 3: the ledger database cannot be used.
* 4: SAP rejected the credentials (HTTP 401, or 403 without a CSRF challenge). The run stopped
  calling SAP and kept the remaining records as dead letters.
* 5: done, but the input had alerts and none of them had a mapping entry, so nothing was sent
  to SAP; the summary lists the unmapped positions.
* 70: internal error (a bug); the message asks for a report, ``--verbose`` shows the traceback.
* 74: a file or the output cannot be read or written (a full disk, a closed pipe, a missing
  folder).
* 130: interrupted (Ctrl-C); the ledger keeps what was done, and a rerun continues.

A command that talks to SAP outside a run (``notifications show``) exits with 1 when SAP is
unavailable or rejects the request.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final, NoReturn, TextIO, TypeVar

import click

from monitron_sap.errors import ConfigurationError, StoreUnavailableError

EXIT_OK: Final = 0
EXIT_PROBLEMS: Final = 1
EXIT_CONFIGURATION: Final = 2
EXIT_STORE: Final = 3
EXIT_SAP_CREDENTIALS: Final = 4
EXIT_NOTHING_MAPPED: Final = 5
EXIT_INTERNAL: Final = 70  # EX_SOFTWARE in BSD sysexits.h
EXIT_OUTPUT: Final = 74  # EX_IOERR in BSD sysexits.h
EXIT_INTERRUPTED: Final = 130  # 128 + SIGINT, as shells report it
MAX_PROBLEMS_SHOWN: Final = 20
REPLAY_COMMAND: Final = "monitron-sap dead-letters replay"

F = TypeVar("F", bound=Callable[..., object])

config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="TOML configuration file (default: $MONITRON_SAP_CONFIG, else built-in defaults).",
)


verbose_option = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also log INFO messages, such as each notification created.",
)


# Loggers of libraries that log every request URL at INFO. The product logs its own request
# lines, and a URL may carry credentials, so these stay at WARNING even with --verbose.
QUIET_LIBRARY_LOGGERS: Final = ("httpx", "httpcore")


_verbosity = {"verbose": False}


def is_verbose() -> bool:
    """Tell whether the running command was given ``--verbose``."""
    return _verbosity["verbose"]


def configure_logging(verbose: bool) -> None:
    """Send log records to standard error: warnings and errors, or everything from INFO up."""
    _verbosity["verbose"] = verbose
    for name in QUIET_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if logging.getLogger().handlers:
        return
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def fail(message: str, code: int) -> NoReturn:
    """Print ``error: MESSAGE`` to standard error and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def run_guarded(action: Callable[[], int]) -> NoReturn:
    """Run ``action`` and exit with its code; map configuration and store errors to codes."""
    try:
        code = action()
    except ConfigurationError as error:
        fail(str(error), EXIT_CONFIGURATION)
    except StoreUnavailableError as error:
        fail(f"{error}; check the path and that no other program holds a lock on it", EXIT_STORE)
    sys.exit(code)


class ProgressLine:
    """A self-updating progress line on standard error, shown only on a terminal.

    With ``total_files`` set, the line starts with a bar of the files read so far. The bar counts
    whole files because the reader's byte offsets are positions in the decompressed stream,
    which a gzip file's size on disk does not bound.
    """

    EVERY: Final = 200
    BAR_WIDTH: Final = 24

    def __init__(self, stream: TextIO | None = None, *, total_files: int | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty()
        self._total_files = total_files
        self._current_source: str | None = None
        self.files_started = 0
        self.count = 0

    def note_source(self, source: str) -> None:
        """Count a new input file when a record comes from another source than the last one."""
        if source != self._current_source:
            self._current_source = source
            self.files_started += 1

    def update(self, *_: object) -> None:
        self.count += 1
        if self._enabled and self.count % self.EVERY == 0:
            self._stream.write("\r" + self.render())
            self._stream.flush()

    def render(self) -> str:
        """Return the progress line: a bar of files when their number is known, and the count."""
        records = f"{self.count:,} records"
        if not self._total_files:
            return f"processed {records}"
        done = max(self.files_started - 1, 0)
        filled = self.BAR_WIDTH * done // self._total_files
        bar = "#" * filled + "-" * (self.BAR_WIDTH - filled)
        return f"[{bar}] {done}/{self._total_files} files, {records}"

    def close(self) -> None:
        if self._enabled and self.count >= self.EVERY:
            self._stream.write("\r" + " " * (self.BAR_WIDTH + 60) + "\r")
            self._stream.flush()
