"""Paper figures from run records: a curve is data (``CurveSpec``), rendering is a function of spec + records.

A curve plots one metric against one numeric record key (e.g. dev F1 against the number of explanations), one
line per series. A series selects records with a filter, exactly like a table row (record fields or dotted
``config.`` keys mapped to required values). Every point aggregates the records of one series at one x over seeds:

    x     = transform(record.get(x_key))                              (x_transform: "identity" or "times:K")
    point = mean ± std over seeds of  scale · metrics[y_split][y_metric]   (sample std, ddof = 1)

``times:K`` expresses x in another unit, e.g. explanations as label-equivalents at equal annotation time
(one explanation costs as much time as K labels). A series may override ``x`` / ``x_transform``, so explanation
runs (x = n_explanations × 2) and label-only runs (x = n_labels) share one "labels of annotation time" axis.
Transforms are a whitelist parsed from text, never evaluated.

Records of a series that lack the x key, have a non-numeric x, or lack the metric are skipped and listed by
``curve_problems`` (and under the Markdown table); so are points with fewer seeds than ``seeds`` or a duplicated
seed. Cell notation is the tables' one (``nle.results.tables``): ``71.2 ± 0.4 (n=3)``, one seed ``70.0 (n=1)``,
no record ``—``.

YAML schema (a top-level ``curves:`` list, in the same file as ``tables:``; only these two top-level keys)::

    curves:
      - name: next_label_efficiency          # file stem of <name>.png / <name>.md (default: title in snake case)
        title: NExT label efficiency         # required
        x: config.data.init_args.n_explanations   # required: dotted record key holding a number
        x_label: Number of explanations      # default: the x key
        x_transform: identity                # identity (default) | times:K (K a positive finite number)
        y_split: dev                         # required
        y_metric: semeval_f1                 # required
        y_label: Dev F1 (%)                  # default: "<y_split> <y_metric>"
        scale: 100                           # default 1
        precision: 1                         # digits in Markdown cells, default 1
        log_x: true                          # default false
        seeds: [1, 2, 3]                     # optional: expected seeds; records with other seeds are left out
        where: {project: next_tacred}        # optional filter applied to every series
        caption: ...                         # optional, printed under the Markdown table
        series:                              # required, non-empty; labels unique
          - {label: NExT, where: {method: next_full}}
          - {label: Labels only, where: {method: bert}, x: config.data.init_args.n_labels}   # per-series x
          - {label: NExT (label-equiv.), where: {method: next_full}, x_transform: "times:2"}
          - {label: chosen by rule, where: {method: rule}, pool_x: true}   # one point at the mean x of its runs

>>> s = CurveSpec(name="c", title="C", x="config.data.n", y_split="dev", y_metric="f1", series=[("A", {})])
>>> curve_points(s, [])
{'A': []}
>>> parse_x_transform("times:2")(50)
100.0
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nle.atomic import atomic_open, write_text_atomic
from nle.data.errors import DataFormatError
from nle.results.record import ResultRecord, load_results
from nle.results.tables import _check_keys, _fmt, _md_escape, matches

# ---------------------------------------------------------------- x transforms (a whitelist, never eval)


def parse_x_transform(text: str) -> Callable[[float], float]:
    """The function named by ``text``: ``"identity"`` (x ↦ x) or ``"times:K"`` (x ↦ K·x, K > 0 finite).

    Raises ``ValueError`` naming the accepted forms for anything else.

    >>> parse_x_transform("identity")(25), parse_x_transform("times:0.5")(25)
    (25.0, 12.5)
    """
    name, sep, arg = str(text).partition(":")
    if name == "identity" and not sep:
        return lambda x: float(x)
    if name == "times" and sep:
        try:
            k = float(arg)
        except ValueError:
            k = math.nan
        if math.isfinite(k) and k > 0:
            return lambda x: k * float(x)
    raise ValueError(f"x_transform {text!r}: expected 'identity' or 'times:K' with K a positive finite number")


# ---------------------------------------------------------------- specs


@dataclass(frozen=True)
class Series:
    """One line: the records matching ``where``; ``x`` / ``x_transform`` override the curve's when given."""

    label: str
    where: Mapping[str, Any] = field(default_factory=dict)
    x: str | None = None
    x_transform: str | None = None
    pool_x: bool = False


@dataclass(frozen=True)
class CurveSpec:
    """A paper figure as data. ``series`` accepts ``Series`` or plain tuples ``(label, where[, x[, x_transform]])``.

    ``where`` filters every series; ``seeds`` lists the seeds each point should have (points with fewer are
    reported; records with other seeds are left out); ``name`` is the output file stem (default: the title in
    lower snake case). An unknown ``x_transform`` or a repeated series label raises ``ValueError``.
    """

    title: str
    x: str
    y_split: str
    y_metric: str
    series: Sequence[Series]
    name: str = ""
    x_label: str = ""
    y_label: str = ""
    scale: float = 1.0
    x_transform: str = "identity"
    where: Mapping[str, Any] = field(default_factory=dict)
    seeds: tuple[int, ...] | None = None
    log_x: bool = False
    precision: int = 1
    caption: str = ""

    def __post_init__(self) -> None:
        series = tuple(s if isinstance(s, Series) else Series(*s) for s in self.series)
        object.__setattr__(self, "series", series)
        if self.seeds is not None:
            object.__setattr__(self, "seeds", tuple(self.seeds))
        if not self.name:
            object.__setattr__(self, "name", re.sub(r"[^a-z0-9]+", "_", self.title.lower()).strip("_") or "curve")
        if not self.x_label:
            object.__setattr__(self, "x_label", self.x)
        if not self.y_label:
            object.__setattr__(self, "y_label", f"{self.y_split} {self.y_metric}")
        for s in series:
            parse_x_transform(s.x_transform or self.x_transform)
        repeated = sorted(label for label, n in Counter(s.label for s in series).items() if n > 1)
        if repeated:
            raise ValueError(f"curve {self.name!r}: series labels must be unique; repeated: {repeated}")


@dataclass(frozen=True)
class Point:
    """One aggregated point: ``mean`` / ``std`` (None below 2 seeds) of the scaled metric at ``x``, over ``n`` runs."""

    x: float
    mean: float
    std: float | None
    n: int
    seeds: tuple[int, ...] = ()


# ---------------------------------------------------------------- aggregation


def _series_values(spec: CurveSpec, series: Series, records: Sequence[ResultRecord]
                   ) -> tuple[dict[float, list[tuple[int, float]]], list[str]]:
    """``{x: [(seed, scaled value), ...]}`` of one series, and a reason for every matching record left out."""
    key = series.x or spec.x
    transform = parse_x_transform(series.x_transform or spec.x_transform)
    where = {**spec.where, **series.where}
    chosen = [r for r in records if matches(r, where) and (spec.seeds is None or r.seed in spec.seeds)]
    chosen.sort(key=lambda r: (r.seed, r.run_dir))
    by_x: dict[float, list[tuple[int, float]]] = {}
    skipped: list[str] = []
    for r in chosen:
        try:
            raw = r.get(key)
        except KeyError:
            skipped.append(f"run {r.run_dir}: no x key {key!r}")
            continue
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            skipped.append(f"run {r.run_dir}: x {key}={raw!r} is not a finite number")
            continue
        if spec.y_metric not in r.metrics.get(spec.y_split, {}):
            skipped.append(f"run {r.run_dir}: no metric {spec.y_split}/{spec.y_metric}")
            continue
        value = spec.scale * r.metrics[spec.y_split][spec.y_metric]
        by_x.setdefault(transform(raw), []).append((r.seed, value))
    if series.pool_x and by_x:  # one point at the mean x (its runs' x differ: e.g. a fraction each seed chose)
        pooled = [(x, sv) for x, svs in by_x.items() for sv in svs]
        by_x = {statistics.fmean(x for x, _ in pooled): [sv for _, sv in pooled]}
    return by_x, skipped


def curve_points(spec: CurveSpec, records: Sequence[ResultRecord]) -> dict[str, list[Point]]:
    """``{series label: [Point, ...] sorted by x}``, every point aggregated over seeds (sample std, ddof = 1).

    Records left out (no x key, non-numeric x, no metric) are listed by ``curve_problems``.

    >>> from nle.results.record import ResultRecord
    >>> base = dict(project="p", experiment="e", method="m", config_hash="h", config_files=[], git_sha="a",
    ...             git_dirty=False, data_files={}, versions={}, devices=1, accelerator="cpu", num_nodes=1,
    ...             precision="32-true", wall_time_s=1.0, created="2024-01-01T00:00:00+00:00", run_dir="r")
    >>> recs = [ResultRecord(seed=s, metrics={"dev": {"f1": v}}, config={"n": 25}, **base)
    ...         for s, v in [(1, 0.5), (2, 0.7)]]
    >>> spec = CurveSpec(title="C", x="config.n", y_split="dev", y_metric="f1", scale=100, series=[("M", {})])
    >>> curve_points(spec, recs)["M"]
    [Point(x=25.0, mean=60.0, std=14.142135623730951, n=2, seeds=(1, 2))]
    """
    out: dict[str, list[Point]] = {}
    for series in spec.series:
        by_x, _ = _series_values(spec, series, records)
        points = []
        for x in sorted(by_x):
            seeds = tuple(s for s, _ in by_x[x])
            values = [v for _, v in by_x[x]]
            std = statistics.stdev(values) if len(values) >= 2 else None
            points.append(Point(x, statistics.fmean(values), std, len(values), seeds))
        out[series.label] = points
    return out


def curve_problems(spec: CurveSpec, records: Sequence[ResultRecord]) -> list[str]:
    """Human-readable notes: records skipped (no x key, bad x, no metric), series with no point, and points with
    fewer seeds than ``spec.seeds`` or a seed used twice. Empty when the figure is complete."""
    notes: list[str] = []
    points = curve_points(spec, records)
    for series in spec.series:
        _, skipped = _series_values(spec, series, records)
        notes += [f"skipped: series {series.label}: {why}" for why in skipped]
        if not points[series.label]:
            where = {**spec.where, **series.where}
            notes.append(f"missing: series {series.label}: no usable record matching "
                         + (", ".join(f"{k}={v!r}" for k, v in where.items()) or "(no filter)"))
        for p in points[series.label]:
            at = f"missing: series {series.label} / x {_fmt_x(p.x)}: "
            if spec.seeds is not None:
                lacking = [s for s in spec.seeds if s not in p.seeds]
                if lacking:
                    notes.append(at + f"{len(set(p.seeds))} of {len(spec.seeds)} seeds; missing seed(s) "
                                 + ", ".join(map(str, lacking)))
            for seed, count in sorted(Counter(p.seeds).items()):
                if count > 1:
                    notes.append(at + f"seed {seed} has {count} records (all are averaged)")
    return notes


# ---------------------------------------------------------------- Markdown


def _fmt_x(x: float) -> str:
    """An x value as written in tables and tick labels: integers without a decimal point, else up to 6 digits."""
    return str(int(x)) if float(x).is_integer() else f"{x:.6g}"


def _fmt_point(spec: CurveSpec, p: Point | None) -> str:
    if p is None:
        return "—"
    body = _fmt(p.mean, spec.precision)
    if p.std is not None:
        body += f" ± {_fmt(p.std, spec.precision)}"
    return f"{body} (n={p.n})"


def render_markdown(spec: CurveSpec, records: Sequence[ResultRecord]) -> str:
    """The curve as a Markdown table (one row per x, one column per series, cells ``mean ± std (n=k)``), a line
    naming the y quantity, the caption, then ``curve_problems`` as a bullet list.

    >>> spec = CurveSpec(title="C", x="config.n", x_label="n", y_split="dev", y_metric="f1", series=[("A", {})])
    >>> print(render_markdown(spec, []), end="")
    ### C
    <BLANKLINE>
    | n | A |
    |---:|---:|
    <BLANKLINE>
    y: dev f1 = dev/f1; cells: mean ± std over seeds (n runs)
    <BLANKLINE>
    - missing: series A: no usable record matching (no filter)
    """
    points = curve_points(spec, records)
    xs = sorted({p.x for ps in points.values() for p in ps})
    at = {label: {p.x: p for p in ps} for label, ps in points.items()}
    lines = [f"### {spec.title}", ""] if spec.title else []
    lines.append("| " + " | ".join([_md_escape(spec.x_label)] + [_md_escape(s.label) for s in spec.series]) + " |")
    lines.append("|---:|" + "---:|" * len(spec.series))
    for x in xs:
        cells = [_fmt_point(spec, at[s.label].get(x)) for s in spec.series]
        lines.append("| " + " | ".join([_fmt_x(x)] + cells) + " |")
    scale = "" if spec.scale == 1 else f"{_fmt_x(spec.scale)} · "
    lines += ["", f"y: {spec.y_label} = {scale}{spec.y_split}/{spec.y_metric}; cells: mean ± std over seeds (n runs)"]
    if spec.caption:
        lines += ["", spec.caption]
    notes = curve_problems(spec, records)
    if notes:
        lines += [""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- PNG


def _fmt_tick(x: float) -> str:
    """A tick label: integers as they are, else 3 significant digits."""
    return str(int(x)) if float(x).is_integer() else f"{x:.3g}"


def _ticks_apart(xs: Sequence[float], log_x: bool = False, min_gap: float = 0.06) -> bool:
    """Whether ticks at exactly ``xs`` (sorted) are far enough apart to be read: every gap is at least ``min_gap``
    of the axis range (in log space for a log axis). Otherwise the axis keeps matplotlib's own ticks.

    >>> _ticks_apart([25, 50, 100, 203]), _ticks_apart([0, 0.05, 0.052, 1])
    (True, False)
    """
    if len(xs) < 2:
        return True
    if log_x and xs[0] <= 0:
        return False
    values = [math.log(x) for x in xs] if log_x else list(xs)
    span = values[-1] - values[0]
    return span > 0 and min(b - a for a, b in zip(values, values[1:])) >= min_gap * span


def render_png(spec: CurveSpec, records: Sequence[ResultRecord], path: str | Path, dpi: int = 150) -> Path:
    """Draw the curve (one line per series, markers, error bars = ± std, legend, axis labels, title; log x when
    ``spec.log_x``, ticks at the x values present) and write it atomically as PNG to ``path``. Returns ``path``.

    Uses matplotlib's object API with the Agg canvas (no pyplot state, no display); series with no point are left
    out of the plot and reported by ``curve_problems``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, NullLocator

    points = curve_points(spec, records)
    fig = Figure(figsize=(5.5, 4.0), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for series in spec.series:
        ps = points[series.label]
        if not ps:
            continue
        ax.errorbar([p.x for p in ps], [p.mean for p in ps], yerr=[p.std or 0.0 for p in ps],
                    marker="o", markersize=4, capsize=3, linewidth=1.5, label=series.label)
    if spec.log_x:
        ax.set_xscale("log")
    xs = sorted({p.x for ps in points.values() for p in ps})
    if 0 < len(xs) <= 12 and _ticks_apart(xs, spec.log_x):
        ax.xaxis.set_major_locator(FixedLocator(xs))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels([_fmt_tick(x) for x in xs])
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(spec.y_label)
    ax.set_title(textwrap.fill(spec.title, 60, break_on_hyphens=False), fontsize=10)
    ax.grid(True, alpha=0.3)
    if any(points.values()):
        ax.legend()
    fig.tight_layout()
    path = Path(path)
    with atomic_open(path, "wb") as fh:
        fig.savefig(fh, format="png", metadata={"Software": None})
    return path


# ---------------------------------------------------------------- specs from YAML

_ROOT_KEYS = {"tables", "curves"}
_CURVE_KEYS = {"name", "title", "x", "x_label", "x_transform", "y_split", "y_metric", "y_label", "scale", "precision",
               "log_x", "seeds", "where", "caption", "series"}
_SERIES_KEYS = {"label", "where", "x", "x_transform", "pool_x"}


def load_curve_specs(path: str | Path) -> list[CurveSpec]:
    """Every curve under the top-level ``curves:`` key of a YAML file (``[]`` when the file has no such key).

    The schema is in the module docstring. Unknown or missing keys, wrong types, a bad ``x_transform``, repeated
    series labels or curve names raise ``DataFormatError`` naming the file and the key path
    (``curves[0].series[1].where``).
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise DataFormatError(path, None if mark is None else mark.line + 1, "<yaml>", "valid YAML", str(e)) from None
    if not isinstance(data, Mapping):
        raise DataFormatError(path, None, "<root>", "a mapping with a `curves:` list", type(data).__name__)
    _check_keys(path, "<root>", data, _ROOT_KEYS, set())
    if "curves" not in data:
        return []
    nodes = data["curves"]
    if not isinstance(nodes, list) or not nodes:
        raise DataFormatError(path, None, "curves", "a non-empty list of curves", nodes)
    specs = [_curve_from_yaml(path, f"curves[{i}]", node) for i, node in enumerate(nodes)]
    for name, count in Counter(s.name for s in specs).items():
        if count > 1:
            raise DataFormatError(path, None, "curves.name", "a unique name per curve (it names the output files)", name)
    return specs


def _typed(path: Path, where: str, value: Any, ok: bool, expected: str) -> Any:
    if not ok:
        raise DataFormatError(path, None, where, expected, value)
    return value


def _curve_from_yaml(path: Path, where: str, node: Any) -> CurveSpec:
    _check_keys(path, where, node, _CURVE_KEYS, {"title", "x", "y_split", "y_metric", "series"})
    for key in ("name", "title", "x", "x_label", "x_transform", "y_split", "y_metric", "y_label", "caption"):
        if key in node:
            _typed(path, f"{where}.{key}", node[key], isinstance(node[key], str) and node[key] != "",
                   "a non-empty string")
    for key in ("scale",):
        if key in node:
            v = node[key]
            _typed(path, f"{where}.{key}", v, isinstance(v, (int, float)) and not isinstance(v, bool)
                   and math.isfinite(v), "a finite number")
    if "precision" in node:
        v = node["precision"]
        _typed(path, f"{where}.precision", v, isinstance(v, int) and not isinstance(v, bool) and v >= 0,
               "a non-negative integer")
    if "log_x" in node:
        _typed(path, f"{where}.log_x", node["log_x"], isinstance(node["log_x"], bool), "true or false")
    seeds = node.get("seeds")
    if seeds is not None:
        _typed(path, f"{where}.seeds", seeds, isinstance(seeds, list) and all(
            isinstance(s, int) and not isinstance(s, bool) for s in seeds), "a list of integers")
    _typed(path, f"{where}.where", node.get("where", {}), isinstance(node.get("where", {}), Mapping),
           "a mapping key -> value")
    _typed(path, f"{where}.series", node["series"], isinstance(node["series"], list) and bool(node["series"]),
           "a non-empty list of series")
    series = []
    for i, s in enumerate(node["series"]):
        at = f"{where}.series[{i}]"
        _check_keys(path, at, s, _SERIES_KEYS, {"label"})
        _typed(path, f"{at}.where", s.get("where", {}), isinstance(s.get("where", {}), Mapping),
               "a mapping key -> value")
        for key in ("x", "x_transform"):
            if key in s:
                _typed(path, f"{at}.{key}", s[key], isinstance(s[key], str) and s[key] != "", "a non-empty string")
        if "pool_x" in s:
            _typed(path, f"{at}.pool_x", s["pool_x"], isinstance(s["pool_x"], bool), "true or false")
        series.append(Series(str(s["label"]), dict(s.get("where", {})), s.get("x"), s.get("x_transform"),
                             bool(s.get("pool_x", False))))
    for i, s in enumerate(series):
        text = s.x_transform or node.get("x_transform", "identity")
        try:
            parse_x_transform(text)
        except ValueError:
            key = f"{where}.series[{i}].x_transform" if s.x_transform else f"{where}.x_transform"
            raise DataFormatError(path, None, key, "'identity' or 'times:K' (K > 0)", text) from None
    try:
        return CurveSpec(
            title=node["title"], x=node["x"], y_split=node["y_split"], y_metric=node["y_metric"], series=series,
            name=node.get("name", ""), x_label=node.get("x_label", ""), y_label=node.get("y_label", ""),
            scale=float(node.get("scale", 1.0)), x_transform=node.get("x_transform", "identity"),
            where=dict(node.get("where", {})), seeds=None if seeds is None else tuple(seeds),
            log_x=node.get("log_x", False), precision=node.get("precision", 1), caption=node.get("caption", ""),
        )
    except ValueError as e:
        raise DataFormatError(path, None, f"{where}.series", "unique series labels", str(e)) from None


# ---------------------------------------------------------------- writing and command line


def render_curves_from_yaml(spec_path: str | Path, records: Sequence[ResultRecord], out_dir: str | Path,
                            name: str | None = None) -> list[Path]:
    """Write ``<out_dir>/<name>.png`` and ``<out_dir>/<name>.md`` for every curve of ``spec_path`` (only the curve
    ``name`` when given; ``KeyError`` when absent). Returns the paths written, PNG then Markdown per curve;
    ``[]`` when the file declares no curves."""
    specs = load_curve_specs(spec_path)
    if name is not None:
        specs = [s for s in specs if s.name == name]
        if not specs:
            raise KeyError(f"{spec_path}: no curve named {name!r}; curves: {[s.name for s in load_curve_specs(spec_path)]}")
    out = Path(out_dir)
    written: list[Path] = []
    for spec in specs:
        written.append(render_png(spec, records, out / f"{spec.name}.png"))
        written.append(write_text_atomic(out / f"{spec.name}.md", render_markdown(spec, records)))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nle.results.curves --specs FILE --runs DIR --out DIR [--name NAME] [--strict]``.

    Reads every ``results.json`` under ``--runs``, writes ``<name>.png`` / ``<name>.md`` per curve into ``--out``,
    prints the Markdown, and returns 1 with ``--strict`` when any curve has a problem note.
    """
    parser = argparse.ArgumentParser(prog="python -m nle.results.curves",
                                     description="Render figure curves declared under `curves:` from run records.")
    parser.add_argument("--specs", required=True, help="YAML file with a top-level `curves:` list")
    parser.add_argument("--runs", required=True, help="folder searched recursively for results.json")
    parser.add_argument("--out", required=True, help="folder for <name>.png and <name>.md")
    parser.add_argument("--name", default=None, help="render only this curve")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any point is missing or lacks seeds")
    args = parser.parse_args(argv)

    runs = Path(args.runs)
    records = load_results(runs) if runs.is_dir() else []
    if not runs.is_dir():
        print(f"no runs under {runs}: every point is missing", file=sys.stderr)
    written = render_curves_from_yaml(args.specs, records, args.out, name=args.name)
    specs = [s for s in load_curve_specs(args.specs) if args.name is None or s.name == args.name]
    n_notes = 0
    for spec in specs:
        print(render_markdown(spec, records))
        n_notes += len(curve_problems(spec, records))
    print(f"{len(records)} record(s) from {runs}; {len(specs)} curve(s); {len(written)} file(s) written to "
          f"{args.out}; {n_notes} note(s)", file=sys.stderr)
    return 1 if args.strict and n_notes else 0


if __name__ == "__main__":
    raise SystemExit(main())
