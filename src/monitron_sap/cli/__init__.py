"""The ``monitron-sap`` command line: parse, call the package, print, exit.

Each module in this package that defines ``register(group)`` adds its commands to the group.
Commands import their heavy dependencies inside the command function, so that ``--help`` and
unrelated commands start fast.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from monitron_sap import __version__
from monitron_sap.cli._guard import GuardedGroup


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="monitron-sap")
def cli() -> None:
    """Turn Amazon Monitron machine-health events into SAP maintenance notifications."""


def _register_commands() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(cli)


_register_commands()


def main() -> None:
    """Run the command line; the entry point of the ``monitron-sap`` console script."""
    cli()
