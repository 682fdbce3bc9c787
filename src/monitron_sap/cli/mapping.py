"""``monitron-sap mapping``: import, export and list the asset mapping."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from monitron_sap.cli._common import EXIT_CONFIGURATION, EXIT_OK, config_option, fail, run_guarded

if TYPE_CHECKING:
    from monitron_sap.assets.model import MappingEntry

DYNAMODB_SCHEME: Final = "dynamodb://"


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
@click.option(
    "--target",
    metavar="dynamodb://TABLE",
    default=None,
    help="Load the mapping into this DynamoDB table (the stack's mapping table) instead of the "
    "local database; uses the AWS credentials and region of the environment.",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Accept a file without entries, so that it empties the mapping.",
)
@config_option
def import_command(
    csv_file: Path,
    merge: bool,
    target: str | None,
    allow_empty: bool,
    config_file: Path | None,
) -> None:
    """Import a mapping CSV; any invalid row rejects the whole file, named by line."""

    def run() -> int:
        from monitron_sap.assets.csv_io import decode_mapping_bytes, read_mapping_text
        from monitron_sap.config import load_settings
        from monitron_sap.runtime import open_store

        settings = load_settings(config_file)
        try:
            data = csv_file.read_bytes()
        except OSError as error:
            fail(f"cannot read {csv_file}: {error.strerror}", EXIT_CONFIGURATION)
        entries = read_mapping_text(decode_mapping_bytes(data, str(csv_file)), str(csv_file))
        if not entries and not merge and not allow_empty:
            fail(
                f"mapping file {csv_file} has no entries, and importing it would remove every "
                "stored entry; add rows, or pass --allow-empty to empty the mapping",
                EXIT_CONFIGURATION,
            )
        if target is not None:
            return _import_to_dynamodb(target, entries, merge=merge, csv_file=csv_file)
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


def _import_to_dynamodb(
    target: str, entries: list[MappingEntry], *, merge: bool, csv_file: Path
) -> int:
    from monitron_sap.store.dynamodb import DynamoMappingStore
    from monitron_sap.store.dynamodb_common import make_dynamodb_client

    if not target.startswith(DYNAMODB_SCHEME) or not target[len(DYNAMODB_SCHEME) :]:
        fail(f"--target {target!r} is invalid; expected dynamodb://TABLE", EXIT_CONFIGURATION)
    table = target[len(DYNAMODB_SCHEME) :]
    store = DynamoMappingStore(make_dynamodb_client(), table)
    if merge:
        store.upsert(entries)
        click.echo(f"Merged {len(entries)} entries from {csv_file} into {target}.")
    else:
        count = store.replace_all(entries)
        click.echo(f"Imported {count} entries from {csv_file} into {target}, replacing it.")
    return EXIT_OK


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
        rows = [_list_row(entry) for entry in entries]
        header = ("MATCH", "TECHNICAL OBJECT", "KIND", "TYPE", "PLANT")
        widths = [max(len(row[column]) for row in [header, *rows]) for column in range(4)]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
            click.echo("  ".join([*cells, row[4]]).rstrip())
        return EXIT_OK

    run_guarded(run)


def _list_row(entry: MappingEntry) -> tuple[str, str, str, str, str]:
    if entry.asset_position_id:
        match = f"assetPositionId {entry.asset_position_id}"
    elif entry.sensor_id:
        match = f"sensor {entry.sensor_id}"
    else:
        match = " / ".join((entry.project, entry.site, entry.asset, entry.position))
    return (
        match,
        entry.technical_object,
        entry.technical_object_kind,
        entry.notification_type,
        entry.planning_plant or "",
    )


def register(group: click.Group) -> None:
    group.add_command(mapping_group)
