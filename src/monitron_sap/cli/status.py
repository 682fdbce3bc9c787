"""``monitron-sap status``: ledger counts, recent outcomes and positions without a mapping."""

from __future__ import annotations

from pathlib import Path

import click

from monitron_sap.cli._common import EXIT_OK, REPLAY_COMMAND, config_option, run_guarded


@click.command("status")
@click.option(
    "--recent",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Number of recent outcomes shown, at least 1.",
)
@click.option(
    "--all", "all_outcomes", is_flag=True, help="Show skipped records among the recent outcomes."
)
@config_option
def status_command(recent: int, all_outcomes: bool, config_file: Path | None) -> None:
    """Show ledger counts, recent outcomes, dead letters and unmapped positions."""

    def run() -> int:
        from monitron_sap.assets.lookup import find_mapping
        from monitron_sap.config import load_settings
        from monitron_sap.runtime import open_store
        from monitron_sap.store.ports import Outcome

        settings = load_settings(config_file)
        if not settings.database.exists():
            click.echo(
                f"No ledger at {settings.database} yet; nothing was processed with this data "
                "folder. Check MONITRON_SAP_DATA_DIR or data_dir, or run 'monitron-sap mapping "
                "import' and 'monitron-sap process' first."
            )
            return EXIT_OK
        with open_store(settings) as store:
            counts = store.counts()
            shown = [outcome for outcome in Outcome if outcome != Outcome.SKIPPED]
            latest = store.recent(recent, None if all_outcomes else shown)
            unmapped = [
                item
                for item in store.unmapped_positions()
                if find_mapping(item.position, store) is None
            ]

        click.echo(f"Ledger: {settings.database}")
        if not counts:
            click.echo("No records processed yet.")
        else:
            listed = ", ".join(f"{counts.get(o, 0)} {o.value}" for o in Outcome if counts.get(o))
            click.echo(f"Records: {sum(counts.values())} ({listed})")
        if latest:
            kind = "outcomes" if all_outcomes else "outcomes other than skipped"
            click.echo(f"Recent {kind}:")
            for entry in latest:
                detail = entry.error or entry.reason or ""
                number = entry.notification_number or "-"
                click.echo(
                    f"  {entry.updated_at:%Y-%m-%d %H:%M:%S}  {entry.status.value:<12} "
                    f"{number:<12} {entry.record_key}  {detail[:80]}"
                )
        dead = counts.get(Outcome.DEAD_LETTER, 0)
        if dead:
            click.echo(f"Dead letters: {dead}; replay them with '{REPLAY_COMMAND}'.")
        if unmapped:
            click.echo("Unmapped positions (alerts were skipped; add mapping entries for them):")
            for item in unmapped:
                ids = []
                if item.position.asset_position_id:
                    ids.append(f"assetPositionId {item.position.asset_position_id}")
                if item.position.sensor_id:
                    ids.append(f"sensor {item.position.sensor_id}")
                suffix = f" ({', '.join(ids)})" if ids else ""
                click.echo(
                    f"  {item.position.describe()}{suffix}: {item.records} alerts, "
                    f"last {item.last_seen:%Y-%m-%d %H:%M} UTC"
                )
        return EXIT_OK

    run_guarded(run)


def register(group: click.Group) -> None:
    group.add_command(status_command)
