"""Paper tables from run records: a table is data (``TableSpec``), rendering is a pure function of spec + records.

A row selects records with a filter (record fields or dotted ``config.`` keys mapped to required values); a column
names a split and a metric. Each cell aggregates the matching records over seeds:

    cell = mean ± std over seeds of  scale · metrics[split][metric]      (sample std, ddof = 1)

Cell notation (the same in Markdown and LaTeX): ``71.2 ± 0.4 (n=3)``; with one seed only the mean, ``70.0 (n=1)``;
no record: ``—`` (Markdown) / ``--`` (LaTeX). ``n`` is always shown, so a cell that lacks seeds is never mistaken
for a full one. The best mean of each column (compared at the displayed precision, ties all bold) is bold when the
column has at least two cells; "best" follows the metric's ``higher_is_better``. Cells that are missing or lack
expected seeds are listed under the table as ``missing: row X / column Y: reason``.

>>> spec = TableSpec(title="T", rows=[("A", {"method": "a"})], columns=[("F1", "dev", "f1")], scale=100)
>>> print(render_markdown(spec, []), end="")
### T
<BLANKLINE>
|  | F1 |
|:---|---:|
| A | — |
<BLANKLINE>
- missing: row A / column F1: no record matching method='a'
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nle.atomic import write_text_atomic
from nle.data.errors import DataFormatError
from nle.results.record import ResultRecord, load_results


@dataclass(frozen=True)
class Column:
    """One column: ``metrics[split][metric]``. ``higher_is_better`` overrides the ``nle.metrics`` registry;
    ``precision`` / ``scale`` override the table's for this column."""

    label: str
    split: str
    metric: str
    higher_is_better: bool | None = None
    precision: int | None = None
    scale: float | None = None


@dataclass(frozen=True)
class Row:
    """One row: the records whose fields / dotted config keys equal every value in ``where``."""

    label: str
    where: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSpec:
    """A paper table as data. ``rows`` / ``columns`` accept ``Row``/``Column`` or plain tuples
    ``(label, where)`` / ``(label, split, metric[, higher_is_better])``.

    ``where`` is a filter applied to every row (e.g. ``{"project": "next_tacred"}``); ``seeds`` lists the seeds each
    cell should have (cells with fewer are reported; records with other seeds are left out); ``name`` is the file
    stem used when writing (default: the title in lower snake case).
    """

    title: str
    rows: Sequence[Row]
    columns: Sequence[Column]
    precision: int = 1
    scale: float = 1.0
    caption: str = ""
    label: str = ""
    seeds: tuple[int, ...] | None = None
    where: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    row_header: str = ""

    def __post_init__(self) -> None:
        rows = tuple(r if isinstance(r, Row) else Row(*r) for r in self.rows)
        cols = tuple(c if isinstance(c, Column) else Column(*c) for c in self.columns)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "columns", cols)
        if self.seeds is not None:
            object.__setattr__(self, "seeds", tuple(self.seeds))
        if not self.name:
            object.__setattr__(self, "name", re.sub(r"[^a-z0-9]+", "_", self.title.lower()).strip("_") or "table")


@dataclass(frozen=True)
class Cell:
    """The aggregate of one (row, column): scaled values and seeds of the records used, their mean and std."""

    row: str
    column: str
    values: tuple[float, ...]
    seeds: tuple[int, ...]
    n_matching: int

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.values) if self.values else None

    @property
    def std(self) -> float | None:
        return statistics.stdev(self.values) if len(self.values) >= 2 else None


# ---------------------------------------------------------------- selection


def matches(record: ResultRecord, where: Mapping[str, Any]) -> bool:
    """Whether ``record.get(key) == value`` for every item of ``where``; an absent key does not match."""
    for key, value in where.items():
        try:
            if record.get(key) != value:
                return False
        except KeyError:
            return False
    return True


def compute_cells(spec: TableSpec, records: Sequence[ResultRecord]) -> list[list[Cell]]:
    """The cells of ``spec`` (one list per row, one ``Cell`` per column), values already multiplied by the scale."""
    out: list[list[Cell]] = []
    for row in spec.rows:
        where = {**spec.where, **row.where}
        chosen = [r for r in records if matches(r, where) and (spec.seeds is None or r.seed in spec.seeds)]
        chosen.sort(key=lambda r: (r.seed, r.run_dir))
        cells = []
        for col in spec.columns:
            scale = spec.scale if col.scale is None else col.scale
            have = [r for r in chosen if col.metric in r.metrics.get(col.split, {})]
            cells.append(Cell(row.label, col.label, tuple(scale * r.metrics[col.split][col.metric] for r in have),
                              tuple(r.seed for r in have), len(chosen)))
        out.append(cells)
    return out


def missing_cells(spec: TableSpec, records: Sequence[ResultRecord]) -> list[tuple[str, str, str]]:
    """``(row label, column label, reason)`` for every cell with no value, fewer seeds than ``spec.seeds``,
    or a seed that appears in more than one record."""
    problems = []
    for row, cells in zip(spec.rows, compute_cells(spec, records)):
        for col, cell in zip(spec.columns, cells):
            for reason in _cell_problems(spec, row, col, cell):
                problems.append((row.label, col.label, reason))
    return problems


def _cell_problems(spec: TableSpec, row: Row, col: Column, cell: Cell) -> list[str]:
    if cell.n_matching == 0:
        where = {**spec.where, **row.where}
        return ["no record matching " + ", ".join(f"{k}={v!r}" for k, v in where.items())]
    if cell.n == 0:
        return [f"{cell.n_matching} record(s) match but none has {col.split}/{col.metric}"]
    reasons = []
    if spec.seeds is not None:
        lacking = [s for s in spec.seeds if s not in cell.seeds]
        if lacking:
            reasons.append(f"{len(set(cell.seeds))} of {len(spec.seeds)} seeds; missing seed(s) "
                           + ", ".join(map(str, lacking)))
    for seed, count in sorted(Counter(cell.seeds).items()):
        if count > 1:
            reasons.append(f"seed {seed} has {count} records (all are averaged)")
    return reasons


def _higher_is_better(col: Column) -> bool:
    """The column's explicit flag, else ``nle.metrics.higher_is_better(metric)``; raises when neither knows."""
    if col.higher_is_better is not None:
        return col.higher_is_better
    try:
        from nle.metrics import higher_is_better
    except ImportError:
        higher_is_better = None
    if higher_is_better is not None:
        try:
            return bool(higher_is_better(col.metric))
        except (KeyError, ValueError):
            pass
    raise ValueError(f"column {col.label!r}: cannot tell whether a high or low {col.metric!r} is best: the metric "
                     "is not registered in nle.metrics; set higher_is_better on the column")


def _fmt(x: float, digits: int) -> str:
    s = f"{x:.{digits}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def _best_flags(spec: TableSpec, cells: list[list[Cell]]) -> list[list[bool]]:
    """``flags[i][j]``: whether cell (i, j) is the best of its column at the displayed precision."""
    flags = [[False] * len(spec.columns) for _ in spec.rows]
    for j, col in enumerate(spec.columns):
        digits = spec.precision if col.precision is None else col.precision
        shown = {i: float(_fmt(row[j].mean, digits)) for i, row in enumerate(cells)
                 if row[j].mean is not None and math.isfinite(row[j].mean)}
        if len(shown) < 2:
            continue
        best = (max if _higher_is_better(col) else min)(shown.values())
        for i, v in shown.items():
            flags[i][j] = v == best
    return flags


def _cell_parts(spec: TableSpec, col: Column, cell: Cell) -> tuple[str, str | None]:
    """(mean, std or None) formatted at the column's precision."""
    digits = spec.precision if col.precision is None else col.precision
    assert cell.mean is not None
    return _fmt(cell.mean, digits), (None if cell.std is None else _fmt(cell.std, digits))


# ---------------------------------------------------------------- Markdown


def _md_escape(text: str) -> str:
    return text.replace("|", r"\|")


def render_markdown(spec: TableSpec, records: Sequence[ResultRecord]) -> str:
    """The table in GitHub Markdown, then the caption, then the missing-cell report as a bullet list."""
    cells = compute_cells(spec, records)
    best = _best_flags(spec, cells)
    lines = [f"### {spec.title}", ""] if spec.title else []
    lines.append("| " + " | ".join([_md_escape(spec.row_header)] + [_md_escape(c.label) for c in spec.columns]) + " |")
    lines.append("|:---|" + "---:|" * len(spec.columns))
    for i, row in enumerate(spec.rows):
        shown = []
        for j, col in enumerate(spec.columns):
            cell = cells[i][j]
            if cell.n == 0:
                shown.append("—")
                continue
            mean, std = _cell_parts(spec, col, cell)
            body = mean if std is None else f"{mean} ± {std}"
            shown.append((f"**{body}**" if best[i][j] else body) + f" (n={cell.n})")
        lines.append("| " + " | ".join([_md_escape(row.label)] + shown) + " |")
    if spec.caption:
        lines += ["", spec.caption]
    report = missing_cells(spec, records)
    if report:
        lines += [""] + [f"- missing: row {r} / column {c}: {why}" for r, c, why in report]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- LaTeX

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "±": r"$\pm$",
}


def latex_escape(text: str) -> str:
    r"""Escape LaTeX's special characters (and write ``±`` as ``$\pm$``).

    >>> print(latex_escape("F1 (%) & n_1 ± {x}"))
    F1 (\%) \& n\_1 $\pm$ \{x\}
    """
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def render_latex(spec: TableSpec, records: Sequence[ResultRecord]) -> str:
    """A booktabs ``table`` environment (caption above, label if given), then the missing-cell report as
    ``%`` comments. Needs ``\\usepackage{booktabs}``."""
    cells = compute_cells(spec, records)
    best = _best_flags(spec, cells)
    lines = [f"% {spec.title}"] if spec.title else []
    lines += [r"\begin{table}[t]", r"  \centering", f"  \\caption{{{latex_escape(spec.caption or spec.title)}}}"]
    if spec.label:
        lines.append(f"  \\label{{{spec.label}}}")
    lines += [f"  \\begin{{tabular}}{{l{'r' * len(spec.columns)}}}", r"    \toprule"]
    header = [latex_escape(spec.row_header)] + [latex_escape(c.label) for c in spec.columns]
    lines += ["    " + " & ".join(header) + r" \\", r"    \midrule"]
    for i, row in enumerate(spec.rows):
        shown = []
        for j, col in enumerate(spec.columns):
            cell = cells[i][j]
            if cell.n == 0:
                shown.append("--")
                continue
            mean, std = _cell_parts(spec, col, cell)
            body = mean if std is None else f"{mean} $\\pm$ {std}"
            shown.append((f"\\textbf{{{body}}}" if best[i][j] else body) + f" {{\\scriptsize (n={cell.n})}}")
        lines.append("    " + " & ".join([latex_escape(row.label)] + shown) + r" \\")
    lines += [r"    \bottomrule", r"  \end{tabular}", r"\end{table}"]
    lines += [f"% missing: row {r} / column {c}: {why}" for r, c, why in missing_cells(spec, records)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- specs from YAML

_TABLE_KEYS = {"name", "title", "rows", "columns", "precision", "scale", "caption", "label", "seeds", "where",
               "row_header"}
_ROW_KEYS = {"label", "where"}
_COLUMN_KEYS = {"label", "split", "metric", "higher_is_better", "precision", "scale"}


def _check_keys(path: Path, where: str, node: Any, allowed: set[str], required: set[str]) -> None:
    if not isinstance(node, Mapping):
        raise DataFormatError(path, None, where, "a mapping", node)
    for key in node:
        if key not in allowed:
            raise DataFormatError(path, None, f"{where}.{key}", f"one of {sorted(allowed)}", key)
    for key in sorted(required - set(node)):
        raise DataFormatError(path, None, f"{where}.{key}", "a required key", "nothing (key missing)")


def load_table_specs(path: str | Path) -> list[TableSpec]:
    """Every table declared in a ``tables.yaml``: ``{"tables": [table, ...]}`` (or a bare list of tables).

    A table: ``title``, ``rows`` (each ``{label, where}``), ``columns`` (each ``{label, split, metric}`` plus optional
    ``higher_is_better``, ``precision``, ``scale``), optional ``name``, ``caption``, ``label``, ``precision``, ``scale``,
    ``seeds``, ``where``, ``row_header``. Unknown or missing keys raise ``DataFormatError`` naming the file and the
    key path (``tables[0].rows[2].where``)::

        tables:
          - name: table2
            title: SemEval relation extraction
            scale: 100
            seeds: [1, 2, 3]
            columns:
              - {label: Test F1, split: test, metric: semeval_f1}
            rows:
              - {label: Labels only, where: {experiment: semeval_labels_only}}
              - {label: NExT (50), where: {method: next_full, config.data.n_explanations: 50}}
    """
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, Mapping):
        _check_keys(path, "<root>", data, {"tables", "curves"}, {"tables"})
        data = data["tables"]
    if not isinstance(data, list) or not data:
        raise DataFormatError(path, None, "tables", "a non-empty list of tables", data)
    specs = [_table_from_yaml(path, f"tables[{i}]", node) for i, node in enumerate(data)]
    names = Counter(s.name for s in specs)
    for name, count in names.items():
        if count > 1:
            raise DataFormatError(path, None, "name", "a unique name per table (it names the output files)", name)
    return specs


def load_table_spec(path: str | Path, name: str | None = None) -> TableSpec:
    """The table called ``name`` in a ``tables.yaml`` (or its only table when ``name`` is None)."""
    specs = load_table_specs(path)
    if name is None:
        if len(specs) != 1:
            raise ValueError(f"{path}: holds {len(specs)} tables ({[s.name for s in specs]}); pass name=")
        return specs[0]
    for spec in specs:
        if spec.name == name:
            return spec
    raise KeyError(f"{path}: no table named {name!r}; tables: {[s.name for s in specs]}")


def _table_from_yaml(path: Path, where: str, node: Any) -> TableSpec:
    _check_keys(path, where, node, _TABLE_KEYS, {"title", "rows", "columns"})
    for key in ("rows", "columns"):
        if not isinstance(node[key], list) or not node[key]:
            raise DataFormatError(path, None, f"{where}.{key}", "a non-empty list", node[key])
    rows = []
    for i, r in enumerate(node["rows"]):
        _check_keys(path, f"{where}.rows[{i}]", r, _ROW_KEYS, {"label"})
        if not isinstance(r.get("where", {}), Mapping):
            raise DataFormatError(path, None, f"{where}.rows[{i}].where", "a mapping key -> value", r["where"])
        rows.append(Row(str(r["label"]), dict(r.get("where", {}))))
    cols = []
    for i, c in enumerate(node["columns"]):
        _check_keys(path, f"{where}.columns[{i}]", c, _COLUMN_KEYS, {"label", "split", "metric"})
        hib = c.get("higher_is_better")
        if hib is not None and not isinstance(hib, bool):
            raise DataFormatError(path, None, f"{where}.columns[{i}].higher_is_better", "true or false", hib)
        cols.append(Column(str(c["label"]), str(c["split"]), str(c["metric"]), hib, c.get("precision"), c.get("scale")))
    seeds = node.get("seeds")
    if seeds is not None and (not isinstance(seeds, list) or not all(isinstance(s, int) for s in seeds)):
        raise DataFormatError(path, None, f"{where}.seeds", "a list of integers", seeds)
    if not isinstance(node.get("where", {}), Mapping):
        raise DataFormatError(path, None, f"{where}.where", "a mapping key -> value", node["where"])
    return TableSpec(
        title=str(node["title"]), rows=rows, columns=cols, precision=int(node.get("precision", 1)),
        scale=float(node.get("scale", 1.0)), caption=str(node.get("caption", "")), label=str(node.get("label", "")),
        seeds=None if seeds is None else tuple(seeds), where=dict(node.get("where", {})),
        name=str(node.get("name", "")), row_header=str(node.get("row_header", "")),
    )


# ---------------------------------------------------------------- command line


def tables_main(
    project: str,
    specs_path: str | Path,
    runs_root: str | Path = "runs",
    out_dir: str | Path | None = None,
    argv: Sequence[str] | None = None,
) -> int:
    """Body of ``python -m projects.<project>.tables [--runs DIR] [--out DIR] [--format md|latex|both] [--strict]``.

    Reads every record under ``<runs>/<project>``, renders each table of ``specs_path``, prints the tables
    (Markdown for ``md``/``both``, LaTeX for ``latex``) with their missing-cell reports, writes ``<name>.md`` /
    ``<name>.tex`` into ``--out`` when given, and returns the exit code (1 with ``--strict`` if any cell is missing).
    """
    parser = argparse.ArgumentParser(prog=f"python -m projects.{project}.tables",
                                     description=f"Render the {project} paper tables from results.json records.")
    parser.add_argument("--runs", default=str(runs_root), help="runs root; records are read from <runs>/<project>")
    parser.add_argument("--out", default=None if out_dir is None else str(out_dir), help="folder for .md/.tex files")
    parser.add_argument("--format", choices=("md", "latex", "both"), default="both")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any cell is missing or lacks seeds")
    args = parser.parse_args(argv)

    specs = load_table_specs(specs_path)
    root = Path(args.runs) / project
    if root.is_dir():
        records = load_results(root)
    else:
        records = []
        print(f"no runs under {root}: every cell is missing", file=sys.stderr)
    out = None if args.out is None else Path(args.out)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    n_missing = 0
    for spec in specs:
        md, tex = render_markdown(spec, records), render_latex(spec, records)
        print(tex if args.format == "latex" else md)
        if out is not None and args.format in ("md", "both"):
            write_text_atomic(out / f"{spec.name}.md", md)
        if out is not None and args.format in ("latex", "both"):
            write_text_atomic(out / f"{spec.name}.tex", tex)
        n_missing += len(missing_cells(spec, records))
    if out is not None:
        from nle.results.curves import render_curves_from_yaml  # curves imports this module

        for p in render_curves_from_yaml(specs_path, records, out):
            print(f"wrote {p}", file=sys.stderr)
    print(f"{len(records)} record(s) from {root}; {len(specs)} table(s); {n_missing} missing-cell note(s)",
          file=sys.stderr)
    return 1 if args.strict and n_missing else 0
