"""Reading 200,000 metric lines back: braketkit's ``table`` versus the Braket SDK's ``LogMetricsParser``.

Both read the same lines (what ``log_metric`` prints, two metrics an iteration,
every tenth line of other output) into the same columns, by iteration. Target:
braketkit no slower than the SDK. Run: `python benchmarks/metrics_parse.py`.
"""

from __future__ import annotations

import random

from _timing import interleaved

from braketkit.job.metrics import parse_line, table

LINES = 200_000
RUNS = 5


def lines() -> list[str]:
    rng = random.Random(7)
    found = []
    for index in range(LINES):
        step = index // 2
        if index % 10 == 9:
            found.append(f"step {step}: gradient norm {rng.random():.6f}")
        else:
            name = "cost" if index % 2 else "energy"
            found.append(f"Metrics - timestamp={1.7e9 + index / 10}; {name}={rng.gauss(0, 1)}; "
                         f"iteration_number={step};")
    return found


def main() -> None:
    from braket.jobs.metrics_data.definitions import MetricStatistic, MetricType
    from braket.jobs.metrics_data.log_metrics_parser import LogMetricsParser

    log = lines()

    def ours() -> object:
        return table((record for line in log if (record := parse_line(line, 1.0)) is not None), "iteration_number")

    def sdk() -> object:
        parser = LogMetricsParser()
        for line in log:
            if "Metrics -" in line:
                parser.parse_log_message(1.0, line)  # type: ignore[arg-type]
        return parser.get_parsed_metrics(MetricType.ITERATION_NUMBER, MetricStatistic.MAX)

    assert repr(ours()) == repr(sdk())  # the same columns, the same values
    medians = interleaved(RUNS, braketkit=ours, sdk=sdk)
    ratio = medians["braketkit"] / medians["sdk"]
    print(f"{LINES:,} log lines, {sum('Metrics -' in line for line in log):,} of them metric lines")
    print(f"braketkit table(parse_line(...)):       {medians['braketkit']:6.3f} s (median of {RUNS})")
    print(f"Braket SDK LogMetricsParser:            {medians['sdk']:6.3f} s")
    print(f"ratio braketkit / SDK: {ratio:.2f}  (target: at most 1) -> {'PASS' if ratio <= 1 else 'FAIL'}")


if __name__ == "__main__":
    main()
