"""Print a run's summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from monitron_sap.cli._common import (
    EXIT_NOTHING_MAPPED,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_SAP_CREDENTIALS,
    MAX_PROBLEMS_SHOWN,
)
from monitron_sap.pipeline import RunSummary
from monitron_sap.rules.decide import NO_MAPPING

if TYPE_CHECKING:
    from monitron_sap.store.ports import LedgerStore, MappingStore


def exit_code(summary: RunSummary) -> int:
    """Return the command's exit code for a finished run."""
    if summary.credentials_error is not None:
        return EXIT_SAP_CREDENTIALS
    if not summary.ok:
        return EXIT_PROBLEMS
    if nothing_mapped(summary):
        return EXIT_NOTHING_MAPPED
    return EXIT_OK


def nothing_mapped(summary: RunSummary) -> bool:
    """Tell whether the run had alerts but none of them had a mapping entry."""
    reached_sap = summary.notified + summary.updated + summary.correlated
    return summary.skipped[NO_MAPPING] > 0 and reached_sap == 0


def print_unmapped_positions(store: LedgerStore, mappings: MappingStore) -> None:
    """Print the positions that had alerts and still have no mapping entry, and the next step."""
    from monitron_sap.assets.lookup import find_mapping

    unmapped = [
        item
        for item in store.unmapped_positions(MAX_PROBLEMS_SHOWN)
        if find_mapping(item.position, mappings) is None
    ]
    if not unmapped:
        return
    click.echo("Positions with alerts but no mapping entry:")
    for item in unmapped:
        click.echo(f"  {item.position.describe()}: {item.records} alerts")
    click.echo(
        "Add mapping entries for them ('monitron-sap mapping import --merge FILE'), then "
        "process the same input again; the skipped alerts are processed then."
    )


def print_summary(summary: RunSummary, *, lease_seconds: float) -> None:
    """Print the counts, skipped records by reason, and the first problems."""
    click.echo(
        f"Read {summary.read} records: {summary.notified} notified, "
        f"{summary.correlated} correlated, {summary.updated} updated, "
        f"{sum(summary.skipped.values())} skipped, {summary.invalid} invalid, "
        f"{summary.failed} failed, {summary.dead_lettered} dead-lettered."
    )
    if summary.already_done:
        click.echo(
            f"{summary.already_done} records were already processed by an earlier run; "
            "nothing new was sent to SAP for them."
        )
    if summary.repeated:
        click.echo(
            f"{summary.repeated} records appeared more than once in this input; each was "
            "processed once."
        )
    if summary.finished_elsewhere:
        click.echo(
            f"{summary.finished_elsewhere} records were processed by another run at the same "
            "time; nothing is left to do for them."
        )
    if summary.busy:
        click.echo(
            f"{summary.busy} records are still being processed by another run, or by a run that "
            f"stopped less than {lease_seconds:.0f} s ago. When that run finishes it records "
            f"them; if it stopped, run again after {lease_seconds:.0f} s to take them over."
        )
    if summary.skipped:
        click.echo("Skipped by reason:")
        for code, count in summary.skipped.most_common():
            click.echo(f"  {code:<22} {count}")
    if summary.problems:
        total = summary.invalid + summary.failed + summary.dead_lettered
        shown = summary.problems[:MAX_PROBLEMS_SHOWN]
        click.echo(f"Problems ({total}):", err=True)
        for problem in shown:
            click.echo(f"  {problem}", err=True)
        if total > len(shown):
            click.echo(
                f"  ... and {total - len(shown)} more; "
                "see 'monitron-sap status' and 'monitron-sap dead-letters list'",
                err=True,
            )
    if summary.credentials_error is not None:
        click.echo(
            "error: SAP rejected the credentials, so the run stopped calling SAP to avoid "
            "locking the SAP user. The records that needed SAP are dead letters. Check "
            "sap.user and the password (sap.password_file or MONITRON_SAP_SAP_PASSWORD), the "
            "user's authorizations for API_MAINTNOTIFICATION and whether the user is locked "
            "(transaction SU01), then run 'monitron-sap dead-letters replay'. "
            f"SAP's response: {summary.credentials_error}",
            err=True,
        )
