"""``monitron-sap sap-emulator``: run the local SAP emulator until Ctrl-C."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

DEFAULT_PORT = 50000
MAX_PORT = 65535
_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _parse_fault(text: str, field_types: dict[str, Any]) -> tuple[str, Any]:
    name, separator, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if name not in field_types:
        known = ", ".join(sorted(field_types))
        raise click.BadParameter(
            f"unknown fault {name!r}; known faults: {known}", param_hint="--fault"
        )
    if not separator:
        raw = "true"
    kind = str(field_types[name])
    try:
        if "bool" in kind:
            return name, _BOOLEAN_WORDS[raw.strip().lower()]
        if raw.strip().lower() == "none":
            return name, None
        if "float" in kind:
            return name, float(raw)
        return name, int(raw)
    except (KeyError, ValueError):
        raise click.BadParameter(
            f"invalid value {raw!r} for fault {name}", param_hint="--fault"
        ) from None


def _check_sap_client(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not (value.isdigit() and len(value) == 3):
        raise click.BadParameter(f"{value!r} is invalid; expected three digits, for example 100")
    return value


class _Terminated(Exception):
    """Raised in the main thread when the process receives SIGTERM."""


def _raise_terminated(_signal_number: int, _frame: FrameType | None) -> None:
    raise _Terminated


def register(group: click.Group) -> None:
    """Add the ``sap-emulator`` command to the command line."""

    @group.command("sap-emulator")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option(
        "--port",
        type=click.IntRange(0, MAX_PORT),
        default=DEFAULT_PORT,
        show_default=True,
        help="TCP port, 0 to 65535 (0 picks a free one).",
    )
    @click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="SQLite file that keeps notifications across restarts (default: in memory).",
    )
    @click.option(
        "--technical-objects",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="CSV master list with the columns technical_object and kind (EAMS_EQUI or EAMS_FL).",
    )
    @click.option(
        "--fault",
        "faults",
        multiple=True,
        metavar="NAME=VALUE",
        help="Fault to inject, for example error_rate=0.1, error_status=429, delay_seconds=0.5, "
        "lost_response_rate=0.2, head_not_supported=true, csrf_token_lifetime_seconds=60, "
        "seed=1. Repeat for several faults.",
    )
    @click.option(
        "--password",
        envvar="MONITRON_SAP_EMULATOR_PASSWORD",
        help="Password of the demo user (environment: MONITRON_SAP_EMULATOR_PASSWORD).",
    )
    @click.option(
        "--api-key",
        "api_keys",
        multiple=True,
        help="API key accepted in the APIKey header; repeat for several keys.",
    )
    @click.option(
        "--sap-client",
        default="100",
        show_default=True,
        callback=_check_sap_client,
        help="The emulated SAP client, three digits.",
    )
    @click.option(
        "--page-size",
        type=click.IntRange(min=1),
        help="Maximum rows per collection response; more rows come with a __next link.",
    )
    def sap_emulator(
        host: str,
        port: int,
        db_path: Path | None,
        technical_objects: Path | None,
        faults: tuple[str, ...],
        password: str | None,
        api_keys: tuple[str, ...],
        sap_client: str,
        page_size: int | None,
    ) -> None:
        """Run a local SAP emulator of API_MAINTNOTIFICATION until Ctrl-C."""
        import dataclasses

        from monitron_sap.emulator import (
            DEMO_PASSWORD,
            DEMO_USER,
            EmulatorConfig,
            EmulatorServer,
            FaultSettings,
            load_technical_objects,
        )
        from monitron_sap.errors import ConfigurationError

        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        field_types = {field.name: field.type for field in dataclasses.fields(FaultSettings)}
        try:
            settings = FaultSettings(**dict(_parse_fault(text, field_types) for text in faults))
            options: dict[str, Any] = {
                "users": {DEMO_USER: password or DEMO_PASSWORD},
                "api_keys": frozenset(api_keys),
                "sap_client": sap_client,
                "db_path": db_path,
                "faults": settings,
                "page_size": page_size,
            }
            if technical_objects is not None:
                options["technical_objects"] = load_technical_objects(technical_objects)
            server = EmulatorServer(EmulatorConfig(**options), host=host, port=port).start()
        except ConfigurationError as error:
            raise click.ClickException(str(error)) from error

        # Callers read the first output line as the sign that the server is up, so the handler
        # is installed before it.
        previous_handler = signal.signal(signal.SIGTERM, _raise_terminated)
        try:
            click.echo(f"SAP emulator serving {server.service_url}?sap-client={sap_client}")
            if password:
                click.echo(f"User {DEMO_USER}, password as set by --password or the environment.")
            else:
                click.echo(
                    f"User {DEMO_USER}, with the demo password documented in docs/emulator.md."
                )
            click.echo("Press Ctrl-C to stop.")
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("Stopping the SAP emulator (interrupted).")
        except _Terminated:
            click.echo("Stopping the SAP emulator (SIGTERM).")
        finally:
            server.stop()
            signal.signal(signal.SIGTERM, previous_handler)
        click.echo("SAP emulator stopped.")
