"""Paper tables from records: golden Markdown and LaTeX, bolding direction, filters, missing cells, YAML specs, CLI."""

from __future__ import annotations

import math
import sys
import types
from pathlib import Path

import pytest

import nle.metrics
from nle.data.errors import DataFormatError
from nle.results.record import ResultRecord, write_results
from nle.results.tables import (
    Column,
    Row,
    TableSpec,
    compute_cells,
    latex_escape,
    load_table_spec,
    load_table_specs,
    matches,
    missing_cells,
    render_latex,
    render_markdown,
    tables_main,
)

FIXTURES = Path(__file__).parent / "fixtures" / "tables"


def rec(experiment: str, method: str, seed: int, metrics: dict, n_expl: int | None = None,
        project: str = "next_tacred") -> ResultRecord:
    config = {"data": {"n_explanations": n_expl}} if n_expl is not None else {"data": {}}
    return ResultRecord(
        project=project, experiment=experiment, method=method, seed=seed, metrics=metrics, config_hash="h",
        config_files=[f"{experiment}.yaml"], config=config, git_sha="abc", git_dirty=False, data_files={},
        versions={}, devices=1, accelerator="cpu", num_nodes=1, precision="32-true", wall_time_s=1.0,
        created="2024-05-01T12:00:00+00:00", run_dir=f"runs/{project}/{experiment}/seed={seed}",
    )


def m(dev_f1: float, loss: float, test_f1: float | None = None) -> dict:
    out = {"dev": {"semeval_f1": dev_f1, "loss": loss}}
    if test_f1 is not None:
        out["test"] = {"semeval_f1": test_f1}
    return out


RECORDS = [
    # BERT on labels only, 3 seeds: dev 70/71/72 -> 71.0 ± 1.0; test 68/69/71 -> 69.33 ± 1.53; loss .520 ± .020
    rec("semeval_labels_only", "bert", 1, m(0.70, 0.50, 0.68)),
    rec("semeval_labels_only", "bert", 2, m(0.71, 0.52, 0.69)),
    rec("semeval_labels_only", "bert", 3, m(0.72, 0.54, 0.71)),
    # NExT with 50 explanations, 3 seeds: dev 75.0 ± 1.0; test 73/73/74 -> 73.33 ± 0.58; loss .470 ± .020
    rec("semeval_next_50", "next_full", 3, m(0.76, 0.49, 0.74), n_expl=50),
    rec("semeval_next_50", "next_full", 1, m(0.74, 0.45, 0.73), n_expl=50),
    rec("semeval_next_50", "next_full", 2, m(0.75, 0.47, 0.73), n_expl=50),
    # NExT with 100 explanations, one seed and no test metric
    rec("semeval_next_100", "next_full", 1, m(0.78, 0.44), n_expl=100),
    # decoys: another n_explanations, a seed outside the declared seeds, another project
    rec("semeval_next_20", "next_full", 1, m(0.99, 0.01, 0.99), n_expl=20),
    rec("semeval_labels_only", "bert", 4, m(0.10, 9.00, 0.10)),
    rec("semeval_labels_only", "bert", 1, m(0.10, 9.00, 0.10), project="mrc_explanations"),
]

SPEC = TableSpec(
    title="Relation extraction (SemEval)",
    name="semeval",
    row_header="Method",
    rows=[
        Row("BERT (labels only)", {"experiment": "semeval_labels_only"}),
        Row("NExT, 50 explanations", {"method": "next_full", "config.data.n_explanations": 50}),
        Row("NExT, 100 explanations", {"method": "next_full", "config.data.n_explanations": 100}),
        Row("Data programming", {"experiment": "semeval_dp"}),
    ],
    columns=[
        Column("Dev F1", "dev", "semeval_f1", higher_is_better=True),
        Column("Test F1", "test", "semeval_f1", higher_is_better=True),
        Column("Dev loss", "dev", "loss", higher_is_better=False, precision=3, scale=1.0),
    ],
    precision=1,
    scale=100,
    caption="F1 (%) on SemEval-2010 Task 8 dev and test; mean ± sample std over seeds 1, 2, 3.",
    label="tab:semeval",
    seeds=(1, 2, 3),
    where={"project": "next_tacred"},
)

SPEC_YAML = """\
tables:
  - name: semeval
    title: Relation extraction (SemEval)
    row_header: Method
    caption: "F1 (%) on SemEval-2010 Task 8 dev and test; mean ± sample std over seeds 1, 2, 3."
    label: "tab:semeval"
    precision: 1
    scale: 100
    seeds: [1, 2, 3]
    where: {project: next_tacred}
    columns:
      - {label: Dev F1, split: dev, metric: semeval_f1, higher_is_better: true}
      - {label: Test F1, split: test, metric: semeval_f1, higher_is_better: true}
      - {label: Dev loss, split: dev, metric: loss, higher_is_better: false, precision: 3, scale: 1.0}
    rows:
      - {label: BERT (labels only), where: {experiment: semeval_labels_only}}
      - {label: "NExT, 50 explanations", where: {method: next_full, config.data.n_explanations: 50}}
      - {label: "NExT, 100 explanations", where: {method: next_full, config.data.n_explanations: 100}}
      - {label: Data programming, where: {experiment: semeval_dp}}
"""


def test_markdown_matches_golden_file():
    assert render_markdown(SPEC, RECORDS) == (FIXTURES / "golden_table.md").read_text(encoding="utf-8")


def test_latex_matches_golden_file():
    assert render_latex(SPEC, RECORDS) == (FIXTURES / "golden_table.tex").read_text(encoding="utf-8")


def test_rendering_does_not_depend_on_record_order():
    assert render_markdown(SPEC, RECORDS[::-1]) == render_markdown(SPEC, RECORDS)


def test_cells_hold_hand_computed_statistics():
    cells = compute_cells(SPEC, RECORDS)
    labels_test = cells[0][1]
    assert labels_test.seeds == (1, 2, 3)
    assert labels_test.mean == pytest.approx(208 / 3)
    assert labels_test.std == pytest.approx(math.sqrt(((68 - 208 / 3) ** 2 + (69 - 208 / 3) ** 2 + (71 - 208 / 3) ** 2) / 2))
    assert cells[1][0].seeds == (1, 2, 3)  # sorted by seed although the records were not
    assert cells[2][0].n == 1 and cells[2][0].std is None and cells[2][0].mean == pytest.approx(78.0)
    assert cells[2][1].n == 0 and cells[2][1].n_matching == 1
    assert cells[3][0].n_matching == 0
    assert cells[0][2].mean == pytest.approx(0.52)  # column scale 1 overrides the table's 100


def test_filters_on_fields_and_dotted_config_keys():
    r = RECORDS[3]
    assert matches(r, {"method": "next_full", "config.data.n_explanations": 50})
    assert not matches(r, {"config.data.n_explanations": 100})
    assert not matches(RECORDS[0], {"config.data.n_explanations": 50})  # absent key does not match
    assert not matches(r, {"config.model.absent": None})
    assert matches(r, {})


def test_lower_is_better_bolds_the_minimum():
    spec = TableSpec(title="", rows=[("a", {"experiment": "semeval_labels_only"}), ("b", {"experiment": "semeval_next_50"})],
                     columns=[Column("loss", "dev", "loss", higher_is_better=False, precision=2)],
                     where={"project": "next_tacred"}, seeds=(1, 2, 3))
    lines = render_markdown(spec, RECORDS).splitlines()
    assert lines[2] == "| a | 0.52 ± 0.02 (n=3) |"
    assert lines[3] == "| b | **0.47 ± 0.02** (n=3) |"
    flipped = TableSpec(title="", rows=spec.rows, columns=[Column("loss", "dev", "loss", True, 2)], where=spec.where,
                        seeds=spec.seeds)
    assert render_markdown(flipped, RECORDS).splitlines()[2] == "| a | **0.52 ± 0.02** (n=3) |"


def test_ties_at_displayed_precision_are_all_bold_and_single_cells_are_not():
    recs = [rec("x", "a", 1, m(0.701, 0.1)), rec("y", "b", 1, m(0.704, 0.1)), rec("z", "c", 1, m(0.5, 0.1))]
    spec = TableSpec(title="", rows=[("x", {"method": "a"}), ("y", {"method": "b"}), ("z", {"method": "c"})],
                     columns=[Column("F1", "dev", "semeval_f1", True)], scale=100, precision=0)
    assert render_markdown(spec, recs).splitlines()[2:5] == ["| x | **70** (n=1) |", "| y | **70** (n=1) |",
                                                             "| z | 50 (n=1) |"]
    alone = TableSpec(title="", rows=[("x", {"method": "a"})], columns=[Column("F1", "dev", "semeval_f1")])
    assert "**" not in render_markdown(alone, recs)  # one cell: nothing to compare, registry not consulted


def test_direction_comes_from_nle_metrics_registry(monkeypatch):
    recs = [rec("x", "a", 1, m(0.7, 0.3)), rec("y", "b", 1, m(0.6, 0.2))]
    spec = TableSpec(title="", rows=[("x", {"method": "a"}), ("y", {"method": "b"})],
                     columns=[Column("loss", "dev", "loss", precision=1)])

    def registry(name: str) -> bool:
        if name == "loss":
            return False
        raise KeyError(name)

    monkeypatch.setattr(nle.metrics, "higher_is_better", registry, raising=False)
    assert render_markdown(spec, recs).splitlines()[3] == "| y | **0.2** (n=1) |"
    unknown = TableSpec(title="", rows=spec.rows, columns=[Column("F1", "dev", "semeval_f1")])
    with pytest.raises(ValueError, match="set higher_is_better on the column"):
        render_markdown(unknown, recs)
    override = TableSpec(title="", rows=spec.rows, columns=[Column("loss", "dev", "loss", True, 1)])
    assert render_markdown(override, recs).splitlines()[2] == "| x | **0.3** (n=1) |"


def test_missing_cells_reports_duplicates_and_lacking_seeds():
    recs = [rec("x", "a", 1, m(0.7, 0.3)), rec("x", "a", 1, m(0.8, 0.3)), rec("x", "a", 2, m(0.6, 0.3))]
    spec = TableSpec(title="", rows=[("x", {"method": "a"})], columns=[Column("F1", "dev", "semeval_f1", True)],
                     seeds=(1, 2, 3))
    assert missing_cells(spec, recs) == [
        ("x", "F1", "2 of 3 seeds; missing seed(s) 3"),
        ("x", "F1", "seed 1 has 2 records (all are averaged)"),
    ]
    assert missing_cells(SPEC, RECORDS)[0] == ("NExT, 100 explanations", "Dev F1", "1 of 3 seeds; missing seed(s) 2, 3")


def test_escaping():
    assert latex_escape(r"a_b & 50% #1 $x$ {y} ~ ^ \z") == (
        r"a\_b \& 50\% \#1 \$x\$ \{y\} \textasciitilde{} \textasciicircum{} \textbackslash{}z")
    spec = TableSpec(title="", rows=[("a|b", {"method": "a"})], columns=[("x_1", "dev", "semeval_f1")])
    assert "| a\\|b | — |" in render_markdown(spec, [])
    assert r"x\_1" in render_latex(spec, [])


def test_yaml_spec_equals_python_spec(tmp_path):
    path = tmp_path / "tables.yaml"
    path.write_text(SPEC_YAML, encoding="utf-8")
    (spec,) = load_table_specs(path)
    assert spec == SPEC
    assert load_table_spec(path) == SPEC and load_table_spec(path, "semeval") == SPEC
    with pytest.raises(KeyError, match="no table named 'nope'"):
        load_table_spec(path, "nope")


@pytest.mark.parametrize(("text", "field"), [
    ("tables:\n  - {title: t, rows: [{label: a}], columns: [{label: c, split: dev}]}\n", "tables[0].columns[0].metric"),
    ("tables:\n  - {title: t, rows: [{label: a, filter: {}}], columns: [{label: c, split: d, metric: m}]}\n",
     "tables[0].rows[0].filter"),
    ("tables:\n  - {title: t, rows: [], columns: [{label: c, split: d, metric: m}]}\n", "tables[0].rows"),
    ("tables:\n  - {title: t, seeds: [a], rows: [{label: a}], columns: [{label: c, split: d, metric: m}]}\n",
     "tables[0].seeds"),
    ("tables:\n  - {title: t, rows: [{label: a}], columns: [{label: c, split: d, metric: m, higher_is_better: up}]}\n",
     "tables[0].columns[0].higher_is_better"),
    ("tabels: []\n", "<root>.tabels"),
])
def test_bad_yaml_names_file_and_key(tmp_path, text, field):
    path = tmp_path / "tables.yaml"
    path.write_text(text)
    with pytest.raises(DataFormatError) as err:
        load_table_specs(path)
    assert err.value.path == str(path) and err.value.field == field


def test_tables_main_reads_runs_and_writes_files(tmp_path, capsys):
    specs = tmp_path / "tables.yaml"
    specs.write_text(SPEC_YAML, encoding="utf-8")
    for r in RECORDS:
        write_results(r, tmp_path / "runs" / r.run_dir.removeprefix("runs/") / "results.json")
    out = tmp_path / "out"
    code = tables_main("next_tacred", specs, argv=["--runs", str(tmp_path / "runs"), "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr()
    golden_md = (FIXTURES / "golden_table.md").read_text(encoding="utf-8")
    assert printed.out == golden_md + "\n"
    assert "9 record(s)" in printed.err and "6 missing-cell note(s)" in printed.err
    assert (out / "semeval.md").read_text(encoding="utf-8") == golden_md
    assert (out / "semeval.tex").read_text(encoding="utf-8") == (FIXTURES / "golden_table.tex").read_text("utf-8")
    assert tables_main("next_tacred", specs, argv=["--runs", str(tmp_path / "runs"), "--strict"]) == 1


def test_tables_main_without_runs_reports_everything_missing(tmp_path, capsys):
    specs = tmp_path / "tables.yaml"
    specs.write_text(SPEC_YAML, encoding="utf-8")
    assert tables_main("next_tacred", specs, runs_root=tmp_path / "none", argv=["--format", "latex"]) == 0
    printed = capsys.readouterr()
    assert "no runs under" in printed.err
    assert printed.out.count("% missing:") == 12 and r"\toprule" in printed.out


def test_without_a_registry_direction_must_be_explicit(monkeypatch):
    # nle.metrics without higher_is_better: a single cell renders, two cells need the column's flag.
    monkeypatch.setitem(sys.modules, "nle.metrics", types.ModuleType("nle.metrics"))
    recs = [rec("x", "a", 1, m(0.7, 0.3)), rec("y", "b", 1, m(0.6, 0.3))]
    one = TableSpec(title="", rows=[("x", {"method": "a"})], columns=[Column("F1", "dev", "semeval_f1")])
    assert render_markdown(one, recs).splitlines()[2] == "| x | 0.7 (n=1) |"
    two = TableSpec(title="", rows=[("x", {"method": "a"}), ("y", {"method": "b"})],
                    columns=[Column("F1", "dev", "semeval_f1")])
    with pytest.raises(ValueError, match="column 'F1'"):
        render_markdown(two, recs)
