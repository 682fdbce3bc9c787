"""``monitron-sap simulate``: write simulated Monitron export records to files, S3 or Kinesis."""

from __future__ import annotations

from pathlib import Path

import click

from monitron_sap.errors import ConfigurationError, MonitronSapError

# Exit codes: 0 done, 1 the sink failed (retrying may help), 2 invalid options or plant file.
EXIT_SINK_FAILED = 1
EXIT_CONFIGURATION = 2


@click.command("simulate")
@click.option(
    "--plant",
    "plant_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Plant file (TOML). Default: the built-in demo plant.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed; the same seed and options give byte-identical output.",
)
@click.option(
    "--start",
    default=None,
    help="Simulated start time, ISO-8601, UTC unless a zone is given [default: 2026-01-05T00:00Z].",
)
@click.option(
    "--duration",
    default="7d",
    show_default=True,
    help="Simulated time span, for example 7d, 36h or 1d12h.",
)
@click.option(
    "--cadence",
    default="1h",
    show_default=True,
    help="Time between two measurements of one position.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="POSITION=FAULT[,KEY=VALUE...]",
    help="Fault on a position (sensor id, asset/position or site/asset/position): "
    "bearing-wear, misalignment, looseness or overheating; keys start, alarm-after, "
    "acknowledge-after, close-after. Repeatable; replaces the plant file's scenarios.",
)
@click.option(
    "--no-scenarios",
    is_flag=True,
    help="Ignore the plant file's scenarios: every position stays healthy.",
)
@click.option(
    "--schema",
    type=click.Choice(["v2", "v1"]),
    default="v2",
    show_default=True,
    help="Export schema; v1 writes measurements only.",
)
@click.option(
    "--rate",
    default=None,
    metavar="N/s",
    help="Pace the output at N records per second of wall-clock time [default: no pacing].",
)
@click.option(
    "--sink",
    default="stdout",
    show_default=True,
    metavar="stdout|dir:PATH|s3://BUCKET/PREFIX|kinesis://STREAM",
    help="Where records go.",
)
@click.option(
    "--layout",
    type=click.Choice(["firehose", "partitioned"]),
    default="firehose",
    show_default=True,
    help="Object keys for dir: and s3:// sinks: Firehose's YYYY/MM/DD/HH/ or "
    "project=/site=/time= partitions.",
)
@click.option(
    "--framing",
    type=click.Choice(["lines", "concatenated"]),
    default="lines",
    show_default=True,
    help="Newline after each record, or records back to back.",
)
@click.option(
    "--gzip", "use_gzip", is_flag=True, help="Compress each object (or standard output) with gzip."
)
@click.option(
    "--stream-name",
    default="monitron-export",
    show_default=True,
    help="Firehose delivery stream name used in object names.",
)
@click.option(
    "--buffer-interval",
    default="900s",
    show_default=True,
    help="Simulated Firehose buffering interval: records this close in time share an object.",
)
@click.option(
    "--endpoint-url",
    default=None,
    help="AWS endpoint for the s3:// and kinesis:// sinks, for example a local moto server.",
)
@click.option(
    "--kdg-template",
    "kdg_template",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Render this Kinesis Data Generator template instead of simulating the plant.",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=None,
    help="Stop after N records. Default: all records of the span (10 for --kdg-template).",
)
def simulate_command(
    plant_file: Path | None,
    seed: int,
    start: str | None,
    duration: str,
    cadence: str,
    scenarios: tuple[str, ...],
    no_scenarios: bool,
    schema: str,
    rate: str | None,
    sink: str,
    layout: str,
    framing: str,
    use_gzip: bool,
    stream_name: str,
    buffer_interval: str,
    endpoint_url: str | None,
    kdg_template: Path | None,
    count: int | None,
) -> None:
    """Generate Monitron export records for a simulated plant, or from a KDG template."""
    from monitron_sap.simulate.engine import SimulationConfig, simulate
    from monitron_sap.simulate.kdg import render_template_file
    from monitron_sap.simulate.plant import load_plant
    from monitron_sap.simulate.run import open_sink, parse_rate, run
    from monitron_sap.simulate.scenarios import parse_scenario_option
    from monitron_sap.simulate.sinks import ObjectLayout
    from monitron_sap.simulate.timefmt import DEFAULT_START, parse_duration, parse_start

    try:
        start_time = DEFAULT_START if start is None else parse_start(start)
        object_layout = ObjectLayout(
            layout=layout,
            framing=framing,
            gzip=use_gzip,
            stream_name=stream_name,
            buffer_interval=parse_duration(buffer_interval, what="--buffer-interval"),
            seed=seed,
        )
        records_per_second = None if rate is None else parse_rate(rate)
        if kdg_template is not None:
            records = render_template_file(
                kdg_template, count=count or 10, seed=seed, start=start_time,
                interval_seconds=1.0 if records_per_second is None else 1.0 / records_per_second,
            )  # fmt: skip
        else:
            plant = load_plant(plant_file)
            if no_scenarios and scenarios:
                raise ConfigurationError("use either --scenario or --no-scenarios, not both")
            if no_scenarios:
                plant = plant.with_scenarios(())
            if scenarios:
                plant = plant.with_scenarios(
                    tuple(
                        parse_scenario_option(option, plant.find_position) for option in scenarios
                    )
                )
            config = SimulationConfig(
                seed=seed,
                start=start_time,
                duration=parse_duration(duration, what="--duration"),
                cadence=parse_duration(cadence, what="--cadence"),
                schema=schema,
            )
            records = simulate(plant, config)
        summary = run(
            records,
            open_sink(sink, object_layout, endpoint_url, paced=records_per_second is not None),
            count=count,
            rate=records_per_second,
        )
    except ConfigurationError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(EXIT_CONFIGURATION) from error
    except MonitronSapError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(EXIT_SINK_FAILED) from error

    written = f"{summary.records} records in {summary.objects} objects ({summary.bytes} bytes)"
    click.echo(f"wrote {written} to {sink}", err=True)


def register(group: click.Group) -> None:
    """Add the ``simulate`` command to the ``monitron-sap`` group."""
    group.add_command(simulate_command)
