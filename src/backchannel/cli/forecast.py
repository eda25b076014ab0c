"""Commands of the structural forecast: backtest, countries, build."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn

from backchannel import datasets
from backchannel.cli.common import (
    FormatOption,
    OutputFormat,
    err,
    load_settings,
    out,
    reported_errors,
)
from backchannel.cli.output import (
    Column,
    Listing,
    WideOption,
    listing,
    print_data,
)
from backchannel.settings import Settings

forecast_app = typer.Typer(
    help="Structural risk forecast (Early Warning Project data).", no_args_is_help=True
)

EWP_FOOS = "FOOSforecasts_3Sep2025.csv"
EWP_FINAL = "final_forecasts_data_3Sep2025.csv"
DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="Predictor file of the EWP layout (default: the pulled EWP data)."),
]


def _ewp_inputs(settings: Settings, data: Path | None) -> tuple[Any, Any, Any]:
    import pandas as pd

    from backchannel.risk.forecast.predictors import load_predictors

    table = load_predictors(data or datasets.file_path(settings, "ewp", datasets.EWP_PREDICTORS))
    foos = pd.read_csv(datasets.file_path(settings, "ewp", EWP_FOOS))
    final = pd.read_csv(datasets.file_path(settings, "ewp", EWP_FINAL))
    return table, foos, final


def _run_comparison(settings: Settings, data: Path | None, samples: int) -> Any:
    from backchannel.risk.forecast.backtest import compare

    table, foos, final = _ewp_inputs(settings, data)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("backtest", total=62)
        comparison = compare(
            table,
            foos,
            samples=samples,
            on_step=lambda name, cutoff: bar.update(
                task, advance=1, description=f"{name} {cutoff}"
            ),
        )
    return table, final, comparison


@forecast_app.command("backtest")
def forecast_backtest(
    data: DataOption = None,
    format: FormatOption = OutputFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write our forecasts as CSV (ewp_name,year,risk)."),
    ] = None,
    charts: Annotated[
        Path | None, typer.Option("--charts", help="Write ROC and reliability charts (PNG) here.")
    ] = None,
    samples: Annotated[int, typer.Option("--samples", min=10, help="Bootstrap samples.")] = 1000,
    wide: WideOption = False,
) -> None:
    """Run EWP's fully-out-of-sample protocol: ours vs EWP re-implemented vs EWP published."""
    from backchannel.risk.forecast.backtest import OURS
    from backchannel.risk.forecast.metrics import METRIC_NAMES

    settings = load_settings()
    with reported_errors():
        _table, _final, comparison = _run_comparison(settings, data, samples)
    if output:
        comparison.backtests[OURS].forecasts.to_csv(
            output, index=False, columns=["ewp_name", "year", "risk"]
        )
        err.print(f"wrote {output}", highlight=False)
    if charts:
        _write_forecast_charts(comparison, charts)
    rows = [
        [name]
        + [
            f"{e.value:.4f} ({e.low:.3f}-{e.high:.3f})"
            for e in (comparison.metrics[source][name] for source in comparison.metrics)
        ]
        for name in METRIC_NAMES
    ]
    shown = listing(
        f"Backtest on {comparison.n_country_years:,} country-years, {comparison.n_onsets} onsets "
        "(value and bootstrap 95% interval)",
        ["metric", *comparison.metrics],
        rows,
    )
    print_data(shown, format, wide=wide, document=comparison.as_json())


def _write_forecast_charts(comparison: Any, folder: Path) -> None:
    from backchannel.reports.charts import reliability_chart, roc_chart, write_png

    labels = {
        "ours": "ours",
        "ewp_reimplemented": "EWP re-implemented",
        "ewp_published": "EWP published",
    }
    scored = {labels.get(k, k): v for k, v in comparison.scored.items()}
    for name, png in (
        ("roc.png", roc_chart(scored)),
        ("reliability.png", reliability_chart(scored)),
    ):
        err.print(f"wrote {write_png(png, folder / name)}", highlight=False)


@forecast_app.command("countries")
def forecast_countries(
    data: DataOption = None,
    format: FormatOption = OutputFormat.table,
    top: Annotated[int, typer.Option("--top", min=1, help="Show the top N countries.")] = 30,
    wide: WideOption = False,
) -> None:
    """Forecast every country for the next two years, with drivers and EWP's published figure."""
    from backchannel.risk.forecast.countries import country_table

    settings = load_settings()
    with reported_errors():
        table, _foos, final = _ewp_inputs(settings, data)
        rows = country_table(table, final)
    shown = Listing(
        f"Risk of a new mass-killing onset in {rows[0].base_year + 1}-{rows[0].base_year + 2} "
        "(our model; EWP published beside it)",
        (
            Column("country"),
            Column("rank", numeric=True),
            Column("risk", numeric=True),
            Column("ewp_rank", "EWP rank", numeric=True),
            Column("ewp_risk", "EWP risk", numeric=True),
            Column("drivers", wide=True),
        ),
        [
            [
                r.country,
                r.rank,
                f"{r.risk:.1%}",
                r.ewp_published_rank or "",
                f"{r.ewp_published_risk:.1%}" if r.ewp_published_risk is not None else "",
                "; ".join(d.text for d in r.drivers),
            ]
            for r in rows[:top]
        ],
    )
    print_data(shown, format, wide=wide, document=[row.as_dict() for row in rows])


@forecast_app.command("build")
def forecast_build(
    data: DataOption = None,
    folder: Annotated[
        Path | None, typer.Option("--folder", help="Where to write (default: the package data).")
    ] = None,
    samples: Annotated[int, typer.Option("--samples", min=10, help="Bootstrap samples.")] = 1000,
) -> None:
    """Rebuild the packaged forecast artifacts from the pulled EWP data (``make model``)."""
    from backchannel.risk.forecast.artifacts import packaged_folder, write_artifacts
    from backchannel.risk.forecast.countries import country_table

    settings = load_settings()
    with reported_errors():
        table, final, comparison = _run_comparison(settings, data, samples)
        version = next(e.version for e in datasets.installed(settings) if e.id == "ewp")
        paths = write_artifacts(
            folder or packaged_folder(), comparison, country_table(table, final), version
        )
    for path in paths:
        out.print(f"wrote {path}", highlight=False)
