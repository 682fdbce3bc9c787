"""``monitron-sap dead-letters``: list and replay records that SAP could not take in time."""

from __future__ import annotations

from pathlib import Path

import click

from monitron_sap.cli._common import (
    EXIT_OK,
    REPLAY_COMMAND,
    ProgressLine,
    config_option,
    configure_logging,
    run_guarded,
    verbose_option,
)


@click.group("dead-letters")
def dead_letters_group() -> None:
    """List and replay dead letters: records whose SAP calls failed after every retry."""


@dead_letters_group.command("list")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Maximum number of entries shown, at least 1.",
)
@config_option
def list_command(limit: int, config_file: Path | None) -> None:
    """Print the dead letters with their source and last error."""

    def run() -> int:
        from monitron_sap.config import load_settings
        from monitron_sap.runtime import open_store

        settings = load_settings(config_file)
        with open_store(settings) as store:
            letters = store.dead_letters(limit)
        if not letters:
            click.echo("No dead letters.")
            return EXIT_OK
        for entry in letters:
            click.echo(
                f"{entry.record_key}  {entry.source}@{entry.offset}  runs {entry.attempts}  "
                f"{entry.updated_at:%Y-%m-%d %H:%M:%S}  {entry.error or ''}"
            )
        click.echo(f"{len(letters)} dead letters; replay them with '{REPLAY_COMMAND}'.")
        return EXIT_OK

    run_guarded(run)


@dead_letters_group.command("replay")
@click.option(
    "--limit",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Maximum records replayed.",
)
@config_option
@verbose_option
def replay_command(limit: int, config_file: Path | None, verbose: bool) -> None:
    """Process the dead letters again; SAP is searched for each one before anything is created."""

    configure_logging(verbose)

    def run() -> int:
        from monitron_sap.cli._summary import exit_code, print_summary
        from monitron_sap.config import load_settings
        from monitron_sap.runtime import build_pipeline, build_sap_clients, open_store

        settings = load_settings(config_file)
        with open_store(settings) as store, build_sap_clients(settings.sap) as clients:
            pipeline = build_pipeline(
                settings,
                store,
                clients.notifications,
                items=clients.items,
                attachments=clients.attachments,
            )
            progress = ProgressLine()
            try:
                summary = pipeline.replay_dead_letters(limit=limit, on_result=progress.update)
            finally:
                progress.close()
        if summary.read == 0:
            click.echo("No dead letters to replay.")
            return EXIT_OK
        print_summary(summary, lease_seconds=settings.lease_seconds)
        return exit_code(summary)

    run_guarded(run)


def register(group: click.Group) -> None:
    group.add_command(dead_letters_group)
