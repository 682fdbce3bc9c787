"""``monitron-sap process``: the main job on files, folders or standard input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitron_sap.cli._common import (
    ProgressLine,
    config_option,
    configure_logging,
    run_guarded,
    verbose_option,
)

if TYPE_CHECKING:
    from monitron_sap.events.model import ReadResult
    from monitron_sap.sources.s3 import S3Object


@click.command("process")
@click.argument("paths", nargs=-1, required=True)
@config_option
@verbose_option
def process_command(paths: tuple[str, ...], config_file: Path | None, verbose: bool) -> None:
    """Process Monitron export files, folders (recursively), - for standard input, or the
    objects under s3://BUCKET/PREFIX (in key order, with the AWS credentials of the environment).

    Every record ends in the ledger as notified, correlated, updated, skipped with a reason,
    invalid, failed or dead-lettered. Exit status: 0 when nothing went wrong, 1 when any record
    was invalid, failed, dead-lettered or held by another run, 2 for configuration errors, 3
    when the ledger database cannot be used, 4 when SAP rejected the credentials, 5 when no
    alert had a mapping entry. It is 74 when a file or the output cannot be read or written,
    130 when interrupted and 70 for an internal error. The README's table explains each.
    """

    configure_logging(verbose)

    def run() -> int:
        from monitron_sap.cli._summary import (
            exit_code,
            print_summary,
            print_unmapped_positions,
        )
        from monitron_sap.config import load_settings
        from monitron_sap.rules.decide import NO_MAPPING
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
            progress = ProgressLine(total_files=_count_local_files(paths))
            try:
                results = _noting_sources(_read_all(paths), progress)
                summary = pipeline.process(results, on_result=progress.update)
            finally:
                progress.close()
            print_summary(summary, lease_seconds=settings.lease_seconds)
            if summary.skipped[NO_MAPPING]:
                print_unmapped_positions(store, store)
        return exit_code(summary)

    run_guarded(run)


def _read_all(paths: tuple[str, ...]) -> Iterator[ReadResult]:
    """Read local paths and ``s3://`` locations in the order given."""
    from monitron_sap.events.reader import read_paths
    from monitron_sap.sources.s3 import is_s3_uri, read_s3

    for path in paths:
        if is_s3_uri(path):
            yield from read_s3(path, on_object=_show_object)
        else:
            yield from read_paths([path])


def _count_local_files(paths: tuple[str, ...]) -> int | None:
    """Return the number of regular files under ``paths``, or None when it cannot be known.

    The count is for the progress bar only: standard input and S3 have no count, and a folder
    that cannot be listed leaves the bar out rather than failing the run.
    """
    from monitron_sap.sources.s3 import is_s3_uri

    total = 0
    for path in paths:
        if path == "-" or is_s3_uri(path):
            return None
        location = Path(path)
        try:
            if location.is_dir():
                total += sum(1 for item in location.rglob("*") if item.is_file())
            elif location.is_file():
                total += 1
        except OSError:
            return None
    return total


def _noting_sources(results: Iterator[ReadResult], progress: ProgressLine) -> Iterator[ReadResult]:
    for item in results:
        progress.note_source(item.source.source)
        yield item


def _show_object(obj: S3Object) -> None:
    click.echo(f"reading {obj.uri} ({obj.size} bytes)", err=True)


def register(group: click.Group) -> None:
    group.add_command(process_command)
