"""``monitron-sap events``: print each record of Monitron exports as one JSON line."""

from __future__ import annotations

import click


@click.command("events")
@click.argument("paths", nargs=-1, required=True, metavar="PATH... [-]")
def events_command(paths: tuple[str, ...]) -> None:
    """Read Monitron export files, directories or '-' (standard input).

    Prints one JSON object per event on standard output and each invalid record, then a summary,
    on standard error. Exits with status 1 when any record was invalid.
    """
    import sys

    import orjson

    from monitron_sap.events import RecordError, check_nested, event_to_json, read_paths

    event_count = 0
    error_count = 0
    stdout = sys.stdout.buffer
    for read in read_paths(paths):
        result = check_nested(read)
        if isinstance(result, RecordError):
            error_count += 1
            click.echo(result.describe(), err=True)
            continue
        event_count += 1
        stdout.write(orjson.dumps(event_to_json(result), option=orjson.OPT_APPEND_NEWLINE))

    stdout.flush()
    click.echo(f"{event_count} events read, {error_count} invalid records", err=True)
    if error_count:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    """Add the ``events`` command to the command group."""
    group.add_command(events_command)
