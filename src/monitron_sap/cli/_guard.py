"""The last line of error handling for every command: one clear line and a documented code.

``GuardedGroup`` turns what escapes a command into one line on standard error and an exit code
from the table in ``_common``. Errors of the product get their message; an interrupt, a full
or closed output and unreadable files get a sentence each. Anything else is a bug: it prints a
traceback with ``--verbose``, and otherwise a request to report it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
import traceback
from typing import Any, NoReturn

import click

from monitron_sap.cli._common import (
    EXIT_CONFIGURATION,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT,
    EXIT_PROBLEMS,
    EXIT_SAP_CREDENTIALS,
    EXIT_STORE,
    is_verbose,
)
from monitron_sap.errors import (
    ConfigurationError,
    InputError,
    MonitronSapError,
    SapAuthorizationError,
    StoreUnavailableError,
)

INTERRUPTED_MESSAGE = (
    "interrupted; the ledger keeps every outcome recorded so far, and running the same command "
    "again continues where this run stopped"
)


class GuardedGroup(click.Group):
    """A click group that reports every exception of its commands as one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            _flush_output()
            return result
        except SystemExit as exit_request:
            _flush_output()
            raise exit_request
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            _stop(INTERRUPTED_MESSAGE, EXIT_INTERRUPTED)
        except OSError as error:
            _stop(*_describe_os_error(error))
        except MonitronSapError as error:
            _stop(str(error), _exit_code(error))
        except Exception as error:
            if is_verbose():
                traceback.print_exc()
            _stop(
                f"internal error ({type(error).__name__}: {error}); please report it with the "
                "output of the same command run with --verbose",
                EXIT_INTERNAL,
            )


def _exit_code(error: MonitronSapError) -> int:
    if isinstance(error, ConfigurationError | InputError):
        return EXIT_CONFIGURATION
    if isinstance(error, StoreUnavailableError):
        return EXIT_STORE
    if isinstance(error, SapAuthorizationError):
        return EXIT_SAP_CREDENTIALS
    return EXIT_PROBLEMS


def _describe_os_error(error: OSError) -> tuple[str, int]:
    if isinstance(error, BrokenPipeError) or error.errno in (errno.EPIPE, errno.ENOSPC):
        reason = error.strerror or type(error).__name__
        return f"cannot write the output: {reason}", EXIT_OUTPUT
    if error.filename is not None:
        return f"cannot open {error.filename}: {error.strerror or error}", EXIT_OUTPUT
    return f"input or output failed: {error.strerror or error}", EXIT_OUTPUT


def _flush_output() -> None:
    """Flush standard output now, so that a full or closed output fails inside the guard."""
    try:
        sys.stdout.flush()
    except OSError as error:
        _stop(*_describe_os_error(error))


def _stop(message: str, code: int) -> NoReturn:
    _silence_stdout()
    # When standard error is gone too, the exit code still reports the failure.
    with contextlib.suppress(OSError):
        click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the flush at exit has nothing to write."""
    # Without a file descriptor (a test runner's capture), there is nothing to flush at exit.
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
