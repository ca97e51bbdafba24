"""One self-contained HTML page for a results file: provenance, summary, plots (PNG
embedded as data URIs) and tables. Single runs of every kind, search results and sweeps.

    simfabric report RESULT.h5 -o report.html
    python -m simfabric.analysis.report RESULT.h5 -o report.html
    analysis.report.write(analysis.load("run.h5"), "report.html")
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import pathlib
import sys
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import plots
from .results import IncompleteResultError, Result, Sweep, load

__all__ = ["render", "write", "main"]

TABLE_ROWS = 20
STYLE = """body{font-family:sans-serif;max-width:72em;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:90%;margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3}pre{background:#f7f7f7;padding:0.5em;overflow-x:auto;font-size:85%}
figure{margin:1em 0}img{max-width:100%}figcaption{font-size:90%;color:#555}"""


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return base64.b64encode(buffer.getvalue()).decode()


def _figure_html(caption: str, fig) -> str:
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{_png(fig)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _frame_html(frame, units=None) -> str:
    units = units if units is not None else frame.attrs.get("units", {})
    head = "".join(f"<th>{html.escape(str(c))}{' (' + html.escape(units[c]) + ')' if units.get(c) else ''}</th>"
                   for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _cell(value) -> str:
    if isinstance(value, (float, np.floating)):
        return "NaN" if np.isnan(value) else f"{value:.6g}"
    return str(value)


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{body}</section>'


def _provenance(result: Union[Result, Sweep]) -> str:
    attrs = result.attrs
    rows = [("file", str(result.path)), ("kind", result.kind), ("scenario", attrs.get("scenario_name", "")),
            ("seed", attrs.get("seed", "")), ("simfabric version", attrs.get("simfabric_version", "")),
            ("complete", attrs.get("complete", ""))]
    if isinstance(result, Sweep):
        rows += [("sweep", attrs.get("sweep_name", "")), ("points", attrs.get("points", ""))]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    text = attrs.get("sweep") if isinstance(result, Sweep) else attrs.get("scenario", "")
    return f"<table>{table}</table><pre>{html.escape(str(text))}</pre>"


def _run_plots(result: Result) -> List[Tuple[str, Callable]]:
    """The plots a run's contents allow, by what it recorded rather than by kind."""
    found: List[Tuple[str, Callable]] = []
    if "flows" in result.tables:
        found.append(("Flow completion time CDF", lambda: plots.fct_cdf({"this run": result})))
    if "flows" in result.tables or "ranks" in result.tables:
        found.append(("Per-rank timeline", lambda: plots.collective_timeline(result)))
    if any(n.startswith("utilisation ") for n in result.series_names()):
        found.append(("Link utilisation over time", lambda: plots.link_utilisation(result)))
    if "operators" in result.tables:
        found.append(("Per-operator latency by bottleneck", lambda: plots.operator_bottlenecks(result)))
        found.append(("Roofline", lambda: plots.roofline(result)))
    if "delivered_pairs" in result.tables:
        found.append(("Entanglement delivered over time", lambda: plots.quantum_timeline(result)))
    if "front" in result.tables:
        found.append(("Pareto front", lambda: plots.pareto_front(result)))
    return found


def _plots_html(makers: Sequence[Tuple[str, Callable]]) -> str:
    parts = []
    for caption, make in makers:
        try:
            parts.append(_figure_html(caption, make()))
        except (ValueError, KeyError) as error:  # a plot the data cannot support is named, not fatal
            parts.append(f"<p>{html.escape(caption)}: not drawn ({html.escape(str(error))})</p>")
    return "".join(parts) or "<p>No plots for what this file records.</p>"


def _tables_html(result: Result) -> str:
    parts = []
    for name in result.table_names():
        frame = result.table(name)
        shown = frame.head(TABLE_ROWS)
        note = f"{len(frame)} rows" + (f", first {TABLE_ROWS} shown" if len(frame) > TABLE_ROWS else "")
        parts.append(f"<h3>{html.escape(name)}</h3><p>{note}</p>{_frame_html(shown)}")
    return "".join(parts) or "<p>No tables.</p>"


def _sweep_plots(sweep: Sweep) -> List[Tuple[str, Callable]]:
    frame = sweep.points
    numeric = [p for p in sweep.parameters if np.issubdtype(frame[p].dtype, np.number)]
    x = numeric[0] if numeric else (sweep.parameters[0] if sweep.parameters else None)
    if x is None:
        return []
    others = [p for p in sweep.parameters if p != x and frame[p].nunique() <= 8]
    by = others[0] if others else None
    metrics = [m for m in sweep.metrics if np.issubdtype(frame[m].dtype, np.number) and frame[m].nunique() > 1][:4]
    return [(f"{m} over {x}", lambda m=m: plots.sweep_curve(sweep, x, m, by=by)) for m in metrics]


def _sweep_sections(sweep: Sweep) -> List[str]:
    frame = sweep.points
    status = frame["status"].value_counts().rename_axis("status").reset_index(name="points")
    numeric = [m for m in sweep.metrics if np.issubdtype(frame[m].dtype, np.number)]
    grouped = frame.groupby(sweep.parameters, sort=True)[numeric].mean().reset_index() if sweep.parameters else \
        frame[numeric].mean().to_frame().T
    grouped.attrs["units"] = sweep.units
    failed = frame[frame["status"] != "ok"][["point", "error"]].head(TABLE_ROWS)
    details = sweep.detail_points()
    sections = [
        _section("summary", "Summary",
                 f"<p>parameters: {html.escape(', '.join(sweep.parameters) or 'none')}; replicas: {sweep.replicas}</p>"
                 + _frame_html(status, {}) + (_frame_html(failed, {}) if len(failed) else "")),
        _section("plots", "Plots", _plots_html(_sweep_plots(sweep))),
        _section("tables", "Tables", "<h3>mean over replicas</h3>" + _frame_html(grouped.head(200))
                 + f"<h3>points</h3><p>{len(frame)} rows, first {min(len(frame), TABLE_ROWS)} shown</p>"
                 + _frame_html(frame.head(TABLE_ROWS))),
    ]
    if details:
        first = sweep.details(details[0])
        body = (f"<p>{len(details)} points keep their full results; point {details[0]} shown.</p>"
                + _plots_html(_run_plots(first)))
        sections.append(_section("details", f"Details of point {details[0]}", body))
    return sections


def render(result: Union[Result, Sweep], title: Optional[str] = None) -> str:
    """The report as one HTML string; sections: provenance, summary, plots, tables
    (and, for a sweep with details, the first point's plots)."""
    title = title or f"simfabric report: {result.path.name}"
    sections = [_section("provenance", "Provenance", _provenance(result))]
    if isinstance(result, Sweep):
        sections += _sweep_sections(result)
    else:
        sections += [_section("summary", "Summary", _frame_html(result.summary_frame(), {})),
                     _section("plots", "Plots", _plots_html(_run_plots(result))),
                     _section("tables", "Tables", _tables_html(result))]
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{''.join(sections)}</body></html>\n")


def write(result: Union[Result, Sweep], output: Union[str, pathlib.Path], title: Optional[str] = None) -> None:
    """Writes the report, under a temporary name renamed into place when complete."""
    output = pathlib.Path(output)
    partial = output.with_name(output.name + ".partial")
    partial.write_text(render(result, title))
    partial.replace(output)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="simfabric report",
                                     description="Write one self-contained HTML page for a results file.")
    parser.add_argument("result", help="a results file (simfabric run / sweep run / search -o)")
    parser.add_argument("-o", "--output", required=True, help="the HTML file to write")
    parser.add_argument("--title", help="page title (default: the file's name)")
    parser.add_argument("--allow-incomplete", action="store_true", help="report a run that did not complete")
    args = parser.parse_args(argv)
    output = pathlib.Path(args.output)
    if output.is_dir() or not output.parent.is_dir():
        print(f"simfabric report: -o {output}: not a file in an existing directory", file=sys.stderr)
        return 2
    try:
        result = load(args.result, allow_incomplete=args.allow_incomplete)
    except (FileNotFoundError, IncompleteResultError) as error:
        print(f"simfabric report: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"simfabric report: {args.result}: not a results file ({error})", file=sys.stderr)
        return 2
    write(result, output, args.title)
    print(f"report: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
