"""``monitron-sap process``: the main job on files, folders or standard input."""

from __future__ import annotations

from pathlib import Path

import click

from monitron_sap.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    ProgressLine,
    config_option,
    configure_logging,
    run_guarded,
    verbose_option,
)


@click.command("process")
@click.argument("paths", nargs=-1, required=True)
@config_option
@verbose_option
def process_command(paths: tuple[str, ...], config_file: Path | None, verbose: bool) -> None:
    """Process Monitron export files, folders (recursively) or - for standard input.

    Every record ends in the ledger as notified, correlated, updated, skipped with a reason,
    invalid, failed or dead-lettered. Exit status: 0 when nothing went wrong, 1 when any record
    was invalid, failed, dead-lettered or held by another run, 2 for configuration errors, 3
    when the ledger database cannot be used.
    """

    configure_logging(verbose)

    def run() -> int:
        from monitron_sap.cli._summary import print_summary
        from monitron_sap.config import load_settings
        from monitron_sap.events.reader import read_paths
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
                summary = pipeline.process(read_paths(list(paths)), on_result=progress.update)
            finally:
                progress.close()
        print_summary(summary, lease_seconds=settings.lease_seconds)
        return EXIT_OK if summary.ok else EXIT_PROBLEMS

    run_guarded(run)


def register(group: click.Group) -> None:
    group.add_command(process_command)
