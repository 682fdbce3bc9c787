"""``monitron-sap mapping``: import, export and list the asset mapping."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from monitron_sap.cli._common import EXIT_CONFIGURATION, EXIT_OK, config_option, fail, run_guarded


@click.group("mapping")
def mapping_group() -> None:
    """Import, export and list the asset mapping (Monitron position -> SAP technical object)."""


@mapping_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--merge",
    is_flag=True,
    help="Add or replace only the entries in the file (default: the file replaces the mapping).",
)
@config_option
def import_command(csv_file: Path, merge: bool, config_file: Path | None) -> None:
    """Import a mapping CSV; any invalid row rejects the whole file, named by line."""

    def run() -> int:
        from monitron_sap.assets.csv_io import read_mapping_csv
        from monitron_sap.config import load_settings
        from monitron_sap.runtime import open_store

        settings = load_settings(config_file)
        try:
            with csv_file.open(encoding="utf-8-sig", newline="") as stream:
                entries = read_mapping_csv(stream, str(csv_file))
        except OSError as error:
            fail(f"cannot read {csv_file}: {error.strerror}", EXIT_CONFIGURATION)
        with open_store(settings) as store:
            before = len(store.all())
            if merge:
                store.upsert(entries)
                click.echo(f"Merged {len(entries)} entries from {csv_file}.")
            else:
                store.replace_all(entries)
                click.echo(
                    f"Imported {len(entries)} entries from {csv_file}; "
                    f"they replace the {before} entries stored before."
                )
        return EXIT_OK

    run_guarded(run)


@mapping_group.command("export")
@click.argument("csv_file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@config_option
def export_command(csv_file: Path | None, config_file: Path | None) -> None:
    """Write the mapping as CSV to CSV_FILE, or to standard output."""

    def run() -> int:
        from monitron_sap.assets.csv_io import write_mapping_csv
        from monitron_sap.config import load_settings
        from monitron_sap.runtime import open_store

        settings = load_settings(config_file)
        with open_store(settings) as store:
            entries = store.all()
        if csv_file is None:
            write_mapping_csv(entries, sys.stdout)
            return EXIT_OK
        with csv_file.open("w", encoding="utf-8", newline="") as stream:
            count = write_mapping_csv(entries, stream)
        click.echo(f"Wrote {count} entries to {csv_file}.", err=True)
        return EXIT_OK

    run_guarded(run)


@mapping_group.command("list")
@config_option
def list_command(config_file: Path | None) -> None:
    """Print the mapping as a table."""

    def run() -> int:
        from monitron_sap.config import load_settings
        from monitron_sap.runtime import open_store

        settings = load_settings(config_file)
        with open_store(settings) as store:
            entries = store.all()
        if not entries:
            click.echo("The mapping is empty; load one with 'monitron-sap mapping import FILE'.")
            return EXIT_OK
        click.echo(f"{'MATCH':<58} {'TECHNICAL OBJECT':<18} {'KIND':<9} TYPE  PLANT")
        for entry in entries:
            if entry.asset_position_id:
                match = f"assetPositionId {entry.asset_position_id}"
            elif entry.sensor_id:
                match = f"sensor {entry.sensor_id}"
            else:
                match = " / ".join((entry.project, entry.site, entry.asset, entry.position))
            click.echo(
                f"{match[:58]:<58} {entry.technical_object:<18} "
                f"{entry.technical_object_kind:<9} {entry.notification_type:<5} "
                f"{entry.planning_plant or ''}"
            )
        return EXIT_OK

    run_guarded(run)


def register(group: click.Group) -> None:
    group.add_command(mapping_group)
