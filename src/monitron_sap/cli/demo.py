"""``monitron-sap demo``: the whole product offline, against the built-in SAP emulator.

This command and ``sap-emulator`` are the only parts of the product that import the emulator.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from monitron_sap.cli._common import (
    config_option,
    configure_logging,
    run_guarded,
    verbose_option,
)

if TYPE_CHECKING:
    from monitron_sap.config import Settings
    from monitron_sap.runtime import SapClients
    from monitron_sap.store.ports import LedgerStore

DEMO_DIR_NAME: Final = "demo"
DEMO_SAP_CLIENT: Final = "100"


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete the demo's ledger and SAP data first.")
@config_option
@verbose_option
def demo_command(reset: bool, config_file: Path | None, verbose: bool) -> None:
    """Run the demo: emulator, sample mapping and sample export, then list the notifications.

    The SAP emulator listens on a free loopback port; its data and the demo's ledger live in
    DATA_DIR/demo. DATA_DIR is ~/.local/share/monitron-sap unless MONITRON_SAP_DATA_DIR or the
    configuration file sets another folder. A second run creates nothing new and reports that.
    """

    configure_logging(verbose)

    def run() -> int:
        from monitron_sap.config import load_settings

        settings = load_settings(config_file)
        demo_dir = settings.data_dir / DEMO_DIR_NAME
        if reset and demo_dir.exists():
            shutil.rmtree(demo_dir)
            click.echo(f"Deleted the earlier demo data in {demo_dir}.")
        return _run_demo(demo_dir, settings)

    run_guarded(run)


def _run_demo(demo_dir: Path, user_settings: Settings) -> int:
    from dataclasses import replace

    from monitron_sap.assets.csv_io import read_mapping_csv
    from monitron_sap.cli._summary import exit_code, print_summary
    from monitron_sap.config import Secret, load_settings
    from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorConfig, EmulatorServer
    from monitron_sap.events.reader import read_paths
    from monitron_sap.runtime import build_pipeline, build_sap_clients
    from monitron_sap.store.sqlite import SqliteStore

    data = _demo_data_dir()
    mapping_file = data / "mapping.csv"
    with mapping_file.open(encoding="utf-8", newline="") as stream:
        mapping = read_mapping_csv(stream, str(mapping_file))
    technical_objects = {entry.technical_object: entry.technical_object_kind for entry in mapping}

    demo_dir.mkdir(parents=True, exist_ok=True)
    emulator_config = EmulatorConfig(
        technical_objects=technical_objects,
        db_path=demo_dir / "sap-emulator.sqlite3",
        sap_client=DEMO_SAP_CLIENT,
    )
    # The demo keeps its own ledger and SAP emulator, but applies the user's rules, so that a
    # configuration can be tried on the sample export.
    settings = replace(
        load_settings(environ={"MONITRON_SAP_DATA_DIR": str(demo_dir)}),
        rules=user_settings.rules,
        closure_catalog=user_settings.closure_catalog,
    )
    lease_seconds = user_settings.lease_seconds
    if user_settings.config_file is not None:
        click.echo(
            f"Applying rules.*, lifecycle.* and [closure] from {user_settings.config_file}; the "
            "demo uses its own SAP emulator and ledger, so sap.*, database and pipeline.* "
            "settings are not used."
        )
    inputs = [str(data / "export"), str(data / "v1")]

    with EmulatorServer(emulator_config) as emulator:
        sap = replace(
            settings.sap,
            base_url=emulator.base_url,
            user=DEMO_USER,
            password=Secret(DEMO_PASSWORD),
            client=DEMO_SAP_CLIENT,
        )
        click.echo(f"SAP emulator: {emulator.service_url} (user {DEMO_USER})")
        click.echo(f"Ledger and emulator data: {demo_dir}")
        with SqliteStore(settings.database) as store, build_sap_clients(sap) as clients:
            client = clients.notifications
            store.replace_all(mapping)
            click.echo(f"Loaded {len(mapping)} mapping entries from {mapping_file}.")
            pipeline = build_pipeline(
                settings, store, client, items=clients.items, attachments=clients.attachments
            )
            summary = pipeline.process(read_paths(inputs))
            print_summary(summary, lease_seconds=lease_seconds)

            if summary.notified == 0 and summary.already_done:
                click.echo(
                    "Nothing new was created: an earlier demo run already processed these "
                    "records. Run 'monitron-sap demo --reset' to start over."
                )
            created = _print_notifications(client, sorted(technical_objects))
            _print_closed_life(created, clients, store)
    return exit_code(summary)


def _print_notifications(client: object, technical_objects: list[str]) -> list[str]:
    """Print every notification the product created, as read back from the emulator, and
    return their numbers."""
    from monitron_sap.pipeline.reference import PREFIX
    from monitron_sap.sap.notifications import NotificationClient

    assert isinstance(client, NotificationClient)
    found = []
    for technical_object in technical_objects:
        found += client.find_by_technical_object(technical_object, open_only=False)
    created = sorted(
        (n for n in found if (n.external_reference or "").startswith(PREFIX)),
        key=lambda n: n.number,
    )
    click.echo(f"\nNotifications in SAP created by monitron-sap ({len(created)}):")
    click.echo(f"{'NUMBER':<10} {'TYPE':<4} {'PRIO':<4} {'PHASE':<5} {'OBJECT':<16} TEXT")
    for notification in created:
        click.echo(
            f"{notification.number:<10} {notification.notification_type:<4} "
            f"{notification.priority or '-':<4} {notification.phase or '-':<5} "
            f"{(notification.technical_object or '-')[:16]:<16} {notification.text}"
        )
    return [notification.number for notification in created]


def _print_closed_life(numbers: list[str], clients: SapClients, store: LedgerStore) -> None:
    """Print the life of the first notification that a Monitron user closed with codes."""
    from monitron_sap.cli.notifications import print_notification_life
    from monitron_sap.rules.decide import CLOSED_BY_USER

    for number in numbers:
        entries = store.entries_for_notification(number)
        if any((entry.reason or "").startswith(f"{CLOSED_BY_USER}:") for entry in entries):
            click.echo(f"\nThe life of notification {number}, from its alarm to its closure:")
            print_notification_life(number, clients, store)
            click.echo(
                "With a real SAP system, 'monitron-sap notifications show NUMBER' prints this "
                "for any notification."
            )
            return
    click.echo("\nNo notification was closed by a Monitron user in this demo.")


def _demo_data_dir() -> Path:
    from importlib.resources import files

    # NOTE: this needs the package on a file system, as a source tree or an unpacked wheel, which
    # is how the README's commands install it. A zipped install has no directory to read.
    return Path(str(files("monitron_sap") / "data" / "demo"))


def register(group: click.Group) -> None:
    group.add_command(demo_command)
