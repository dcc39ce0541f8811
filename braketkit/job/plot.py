"""Metrics drawn with matplotlib: one panel per metric, one line per job, so that runs compare at a glance.

matplotlib is an optional extra (``pip install 'braketkit[plot]'``), imported only inside these
functions: ``import braketkit`` and every command but ``braketkit metrics --plot`` stay free of it.
The figure is a plain ``matplotlib.figure.Figure`` made without pyplot, so no GUI backend is chosen,
no window opens and drawing a hundred figures in a loop leaks none; in a notebook it shows itself.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .. import ipython
from ..errors import InvalidInput, MissingExtra, Problem
from .metrics import ITERATION, Columns, Record, RowKey, choose_metrics, labelled_tables, points, table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from . import Job

__all__ = ["HasMetrics", "figure", "plot_metrics", "require_matplotlib"]

_MANY_POINTS = 40
"""Lines of more points than this are drawn without a marker on each point."""


def require_matplotlib() -> None:
    """Raise ``MissingExtra`` with the command that installs it unless matplotlib can be imported."""
    try:
        import matplotlib.figure  # noqa: F401 - only whether it imports
    except ImportError as error:
        raise MissingExtra("drawing metrics needs matplotlib, which is not installed here; install it with: "
                           "pip install 'braketkit[plot]'") from error


class HasMetrics:
    """What both job handles build on their ``metric_records``: the Braket SDK's table, and a figure."""

    def metric_records(self, follow: bool = False, poll: float | None = None) -> Iterator[Record]:
        raise NotImplementedError

    def metrics(self, metric_type: object = "timestamp", statistic: object = "max") -> dict[str, list[Any]]:
        """What the job logged with ``log_metric`` so far, as the Braket SDK's ``metrics()`` gives it (``table``).

        Args:
            metric_type: The row key: ``"timestamp"`` or ``"iteration_number"`` (the SDK's ``MetricType``
                members too).
            statistic: Which value a row keeps where several lines share it: ``"max"`` or ``"min"`` (or
                the SDK's ``MetricStatistic``).
        """
        return table(self.metric_records(), metric_type, statistic)

    def plot(self, metric: str | Sequence[str] | None = None, by: str | None = None,
             statistic: str = "max") -> Figure:
        """A matplotlib figure of the metrics: a panel per metric against ``by`` (``"iteration"`` or ``"time"``).

        Needs ``pip install 'braketkit[plot]'``; in a notebook the figure shows itself (``plot_metrics``).

        Args:
            metric: A metric's name, or several, to draw; default: every metric the job logged.
            by: ``"iteration"`` or ``"time"`` (seconds since the job's first metric); default: iteration
                when the metric lines carry iteration numbers.
            statistic: ``"max"`` or ``"min"``: which value a row shows where several lines share it.
        """
        return plot_metrics(self, metric, by, statistic)  # type: ignore[arg-type]  # self is a Job


def plot_metrics(jobs: Job | Iterable[Job], metric: str | Sequence[str] | None = None, by: str | None = None,
                 statistic: str = "max") -> Figure:
    """A figure of the metrics of one job or several (a sweep's list): a panel per metric, a line per job.

    Needs matplotlib (``pip install 'braketkit[plot]'``); the figure is made without pyplot, and shows
    itself in a notebook.

    Args:
        jobs: A job handle, or any iterable of them (local and cloud mixed); each is a line in every panel.
        metric: A name or names to draw; default: every metric any of the jobs logged.
        by: ``"iteration"`` or ``"time"`` (seconds since each job's first metric) on the x axis; default:
            iteration when the metric lines carry iteration numbers, so that runs line up step by step.
        statistic: ``"max"`` or ``"min"``: which value a row shows when several lines share it.
    """
    require_matplotlib()  # before reading any log: nothing to fetch when nothing can be drawn
    handles = [jobs] if isinstance(jobs, HasMetrics) else list(jobs)
    key, tables = labelled_tables([(job.name, list(job.metric_records())) for job in handles], by, statistic)
    wanted = [metric] if isinstance(metric, str) else list(metric or ())
    return figure(tables, key, choose_metrics(tables, wanted, "metric"))


def figure(tables: Sequence[tuple[str, Columns]], key: RowKey, metrics: Sequence[str]) -> Figure:
    """Draw ``metrics`` of the labelled tables: the one drawing used by ``job.plot()`` and ``--plot``.

    Each job keeps one colour in every panel; a job whose lines were tagged by node gets a line per
    node. NaN and infinities leave a gap in the line.

    Args:
        tables: Each job's label (its legend entry) and its metrics table, all by the same row key.
        key: The row key the tables share, the x axis: ``"iteration_number"`` or ``"timestamp"``.
        metrics: The metrics to draw, a panel each, in this order.
    """
    require_matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    if not metrics:
        which = f"job {tables[0][0]}" if len(tables) == 1 else "jobs " + ", ".join(label for label, _ in tables)
        raise InvalidInput([Problem(f"nothing to draw: {which} logged no metrics (log_metric from "
                                    "braket.jobs.metrics logs them)")])
    _shown_in_notebooks(Figure)
    drawing = Figure(figsize=(8, 0.6 + 2.4 * len(metrics)), layout="constrained")
    axes = list(drawing.subplots(len(metrics), 1, sharex=True, squeeze=False)[:, 0])
    for axis, metric in zip(axes, metrics, strict=True):
        for index, (label, columns) in enumerate(tables):
            for node, xs, ys in _lines(points(columns, metric, key)):
                axis.plot(xs, ys, color=f"C{index % 10}", label=label if node is None else f"{label} [{node}]",
                          marker="o" if len(xs) <= _MANY_POINTS else "", markersize=3, linewidth=1.5)
        axis.set_ylabel(metric)
        axis.grid(alpha=0.3)
    axes[-1].set_xlabel("iteration" if key == ITERATION else "seconds since the job's first metric")
    if key == ITERATION:
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = _legend_entries(axes)
    drawing.legend(handles, labels, loc="outside upper center", ncols=min(len(labels), 3), frameon=False)
    return drawing


def _lines(found: Sequence[tuple[float, float, Any]]) -> list[tuple[Any, list[float], list[float]]]:
    """A line per node (one line when no node was tagged), non-finite values as gaps."""
    nodes = list(dict.fromkeys(node for _, _, node in found))
    return [(node, [x for x, _, at in found if at == node],
             [value if math.isfinite(value) else math.nan for _, value, at in found if at == node])
            for node in nodes]


def _legend_entries(axes: Sequence[Any]) -> tuple[list[Any], list[str]]:
    """Each label once, from whichever panel drew it first."""
    entries: dict[str, Any] = {}
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


def _shown_in_notebooks(figure_class: type) -> None:
    """Let IPython show a figure made without pyplot, as ``%matplotlib inline`` would; a choice already made stays.

    Without pyplot no backend registers a display for figures, and a notebook would print the
    figure's repr instead of drawing it.
    """
    shell = ipython.shell()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    for kind in ("image/png", "image/svg+xml", "application/pdf", "image/jpeg"):
        try:
            formatters[kind].lookup_by_type(figure_class)
            return
        except KeyError:
            continue
    print_figure = importlib.import_module("IPython.core.pylabtools").print_figure  # IPython is running already
    formatters["image/png"].for_type(figure_class, lambda drawn: print_figure(drawn, "png"))
