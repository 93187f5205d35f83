"""Figure curves from records: seed aggregation by hand, x transforms, skipped records, PNG, golden Markdown, YAML, CLI."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from nle.data.errors import DataFormatError
from nle.results.curves import (
    CurveSpec,
    Point,
    Series,
    curve_points,
    curve_problems,
    load_curve_specs,
    main,
    parse_x_transform,
    render_curves_from_yaml,
    render_markdown,
    render_png,
)
from nle.results.record import ResultRecord, write_results

N_EXPL = "config.data.init_args.n_explanations"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def rec(method: str, seed: int, f1: float, init_args: dict, project: str = "next_tacred", tag: str = "") -> ResultRecord:
    run = f"runs/{project}/{method}_{init_args.get('n_explanations', 'none')}{tag}/seed={seed}"
    return ResultRecord(
        project=project, experiment=f"{method}{tag}", method=method, seed=seed, metrics={"dev": {"semeval_f1": f1}},
        config_hash="h", config_files=["c.yaml"], config={"data": {"init_args": init_args}}, git_sha="abc",
        git_dirty=False, data_files={}, versions={}, devices=1, accelerator="cpu", num_nodes=1, precision="32-true",
        wall_time_s=1.0, created="2024-05-01T12:00:00+00:00", run_dir=run,
    )


# (method, n_explanations) -> dev F1 of seeds 1, 2, 3; hand-computed mean ± sample std (x100):
#   next_full  25: 60 62 64 -> 62.0 ± 2.0     50: 70 71 72 -> 71.0 ± 1.0     100: 75 75 78 -> 76.0 ± sqrt(3) = 1.732
#   bert       25: 50 50 50 -> 50.0 ± 0.0     50: 55 57 62 -> 58.0 ± sqrt(13) = 3.606   100: 64 66 65 -> 65.0 ± 1.0
VALUES = {
    ("next_full", 25): (0.60, 0.62, 0.64), ("next_full", 50): (0.70, 0.71, 0.72), ("next_full", 100): (0.75, 0.75, 0.78),
    ("bert", 25): (0.50, 0.50, 0.50), ("bert", 50): (0.55, 0.57, 0.62), ("bert", 100): (0.64, 0.66, 0.65),
}
EXPECTED = {
    "NExT": [(25, 62.0, 2.0), (50, 71.0, 1.0), (100, 76.0, math.sqrt(3))],
    "BERT": [(25, 50.0, 0.0), (50, 58.0, math.sqrt(13)), (100, 65.0, 1.0)],
}
GRID = [rec(m, s, v, {"n_explanations": n, "n_labels": 2 * n})
        for (m, n), vs in VALUES.items() for s, v in zip((1, 2, 3), vs)]
# Left out: a NExT run without the x key, one whose x is null, and one of another project (filtered by `where`).
NO_X = rec("next_full", 1, 0.99, {}, tag="_nox")
NULL_X = rec("next_full", 2, 0.99, {"n_explanations": None}, tag="_null")
OTHER = rec("next_full", 1, 0.10, {"n_explanations": 25}, project="other")
RECORDS = [*GRID, NO_X, NULL_X, OTHER]


def spec(**kw) -> CurveSpec:
    args = dict(name="eff", title="Label efficiency", x=N_EXPL, x_label="Explanations", y_split="dev",
                y_metric="semeval_f1", y_label="Dev F1", scale=100, where={"project": "next_tacred"},
                series=[("NExT", {"method": "next_full"}), ("BERT", {"method": "bert"})], seeds=(1, 2, 3))
    args.update(kw)
    return CurveSpec(**args)


def test_points_are_mean_and_sample_std_over_seeds():
    points = curve_points(spec(), RECORDS)
    assert list(points) == ["NExT", "BERT"]
    for label, expected in EXPECTED.items():
        got = points[label]
        assert [p.x for p in got] == [25.0, 50.0, 100.0]
        assert [p.n for p in got] == [3, 3, 3]
        assert all(p.seeds == (1, 2, 3) for p in got)
        for p, (x, mean, std) in zip(got, expected):
            assert p.x == x and p.mean == pytest.approx(mean) and p.std == pytest.approx(std, abs=1e-9)


def test_one_seed_has_no_std_and_where_filter_applies():
    points = curve_points(spec(seeds=None, where={}), [GRID[0]])
    assert points == {"NExT": [Point(25.0, 60.0, None, 1, (1,))], "BERT": []}
    # without the project filter the other project's record joins NExT at x=25 (4 runs: 60 62 64 10)
    p = curve_points(spec(where={}), RECORDS)["NExT"][0]
    assert (p.n, p.mean, p.seeds) == (4, pytest.approx(49.0), (1, 1, 2, 3))


def test_x_transform_times_2_and_per_series_x():
    points = curve_points(spec(x_transform="times:2"), RECORDS)
    assert [p.x for p in points["NExT"]] == [50.0, 100.0, 200.0]
    assert [p.mean for p in points["NExT"]] == pytest.approx([62.0, 71.0, 76.0])
    # explanations in label-equivalents vs labels-only runs on their own key: one shared axis
    mixed = spec(series=[Series("NExT (x2)", {"method": "next_full"}, x_transform="times:2"),
                         Series("BERT (labels)", {"method": "bert"}, x="config.data.init_args.n_labels")])
    got = curve_points(mixed, RECORDS)
    assert [p.x for p in got["NExT (x2)"]] == [p.x for p in got["BERT (labels)"]] == [50.0, 100.0, 200.0]
    assert [p.mean for p in got["BERT (labels)"]] == pytest.approx([50.0, 58.0, 65.0])


def test_pool_x_gives_one_point_at_the_mean_x():
    """A series whose runs each chose their own x (e.g. the fraction a rule re-annotated) pools into one point."""
    runs = [rec("rule", s, v, {"n_explanations": n}) for s, v, n in [(1, 0.60, 70), (2, 0.62, 72), (3, 0.64, 74)]]
    apart = curve_points(spec(series=[Series("rule", {"method": "rule"})]), runs)["rule"]
    assert [(p.x, p.n) for p in apart] == [(70.0, 1), (72.0, 1), (74.0, 1)]
    (pooled,) = curve_points(spec(series=[Series("rule", {"method": "rule"}, pool_x=True)]), runs)["rule"]
    assert (pooled.x, pooled.n, pooled.seeds) == (72.0, 3, (1, 2, 3))
    assert pooled.mean == pytest.approx(62.0) and pooled.std == pytest.approx(2.0)
    assert curve_problems(spec(series=[Series("rule", {"method": "rule"}, pool_x=True)]), runs) == []


def test_parse_x_transform_is_a_whitelist():
    assert parse_x_transform("identity")(7) == 7.0
    assert parse_x_transform("times:2")(50) == 100.0
    assert parse_x_transform("times:0.5")(3) == 1.5
    for bad in ["times:0", "times:-2", "times:nan", "times:inf", "times:", "times", "identity:2", "log",
                "lambda x: x", "__import__('os')", ""]:
        with pytest.raises(ValueError, match="x_transform"):
            parse_x_transform(bad)
    with pytest.raises(ValueError, match="x_transform"):
        spec(x_transform="times:abc")
    with pytest.raises(ValueError, match="repeated"):
        spec(series=[("A", {}), ("A", {"seed": 1})])


def test_skipped_and_missing_records_are_reported():
    notes = curve_problems(spec(), RECORDS)
    assert notes == [
        f"skipped: series NExT: run {NO_X.run_dir}: no x key '{N_EXPL}'",
        f"skipped: series NExT: run {NULL_X.run_dir}: x {N_EXPL}=None is not a finite number",
    ]
    assert curve_problems(spec(), GRID) == []
    partial = [r for r in GRID if not (r.method == "bert" and r.seed == 3 and r.get(N_EXPL) == 50)]
    partial.append(rec("next_full", 1, 0.60, {"n_explanations": 100}, tag="_dup"))
    empty = spec(series=[("NExT", {"method": "next_full"}), ("BERT", {"method": "bert"}), ("None", {"method": "x"})])
    assert curve_problems(empty, partial) == [
        "missing: series NExT / x 100: seed 1 has 2 records (all are averaged)",
        "missing: series BERT / x 50: 2 of 3 seeds; missing seed(s) 3",
        "missing: series None: no usable record matching project='next_tacred', method='x'",
    ]
    no_metric = spec(y_metric="accuracy", series=[("BERT", {"method": "bert"})])
    assert curve_points(no_metric, GRID) == {"BERT": []}
    assert len(curve_problems(no_metric, GRID)) == 10  # 9 skipped runs + the empty series
    assert "no metric dev/accuracy" in curve_problems(no_metric, GRID)[0]


GOLDEN_MD = """\
### Label efficiency

| Explanations | NExT | BERT |
|---:|---:|---:|
| 25 | 62.0 ± 2.0 (n=3) | 50.0 ± 0.0 (n=3) |
| 50 | 71.0 ± 1.0 (n=3) | 58.0 ± 3.6 (n=3) |
| 100 | 76.0 ± 1.7 (n=3) | 65.0 ± 1.0 (n=3) |

y: Dev F1 = 100 · dev/semeval_f1; cells: mean ± std over seeds (n runs)

SemEval dev.

- skipped: series NExT: run runs/next_tacred/next_full_none_nox/seed=1: no x key 'config.data.init_args.n_explanations'
- skipped: series NExT: run runs/next_tacred/next_full_None_null/seed=2: x config.data.init_args.n_explanations=None \
is not a finite number
"""


def test_markdown_golden():
    assert render_markdown(spec(caption="SemEval dev."), RECORDS) == GOLDEN_MD
    one = render_markdown(spec(seeds=None, precision=2), [GRID[0]])
    assert "| 25 | 60.00 (n=1) | — |" in one
    assert "- missing: series BERT: no usable record matching project='next_tacred', method='bert'" in one


def test_png_is_valid_and_written_atomically(tmp_path: Path):
    for log_x in (False, True):
        out = render_png(spec(log_x=log_x), RECORDS, tmp_path / f"sub/eff_{log_x}.png")
        data = out.read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 5_000
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["eff_False.png", "eff_True.png"]  # no temp files
    empty = render_png(spec(), [], tmp_path / "empty.png")
    assert empty.read_bytes()[:8] == PNG_MAGIC


YAML = """\
tables:
  - {title: T, rows: [{label: A}], columns: [{label: F1, split: dev, metric: f1}]}
curves:
  - name: eff
    title: Label efficiency
    x: config.data.init_args.n_explanations
    x_label: Explanations
    y_split: dev
    y_metric: semeval_f1
    y_label: Dev F1
    scale: 100
    seeds: [1, 2, 3]
    where: {project: next_tacred}
    caption: SemEval dev.
    series:
      - {label: NExT, where: {method: next_full}}
      - {label: BERT, where: {method: bert}}
  - title: Label-equivalents
    x: config.data.init_args.n_explanations
    x_transform: "times:2"
    y_split: dev
    y_metric: semeval_f1
    log_x: true
    series:
      - {label: BERT, where: {method: bert}, x: config.data.init_args.n_labels, x_transform: identity}
"""


def test_yaml_specs_load_and_render(tmp_path: Path):
    path = tmp_path / "tables.yaml"
    path.write_text(YAML)
    first, second = load_curve_specs(path)
    assert first == spec(caption="SemEval dev.")
    assert render_markdown(first, RECORDS) == GOLDEN_MD
    assert (second.name, second.x_label, second.y_label, second.log_x) == (
        "label_equivalents", N_EXPL, "dev semeval_f1", True)
    assert second.series == (Series("BERT", {"method": "bert"}, "config.data.init_args.n_labels", "identity"),)
    assert [p.x for p in curve_points(second, GRID)["BERT"]] == [50.0, 100.0, 200.0]
    tables_only = tmp_path / "t.yaml"
    tables_only.write_text(YAML.split("curves:")[0])
    assert load_curve_specs(tables_only) == []


BAD = [
    ("curves: {a: 1}\n", "curves"),
    ("curves: []\n", "curves"),
    ("[1, 2]\n", "<root>"),
    ("curve: []\n", "<root>.curve"),
    ("curves: [{title: T, x: k, y_split: dev, series: [{label: A}]}]\n", "curves[0].y_metric"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A}], colour: red}]\n", "curves[0].colour"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: []}]\n", "curves[0].series"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A, where: [1]}]}]\n", "curves[0].series[0].where"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{where: {}}]}]\n", "curves[0].series[0].label"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A}], x_transform: 'times:-1'}]\n",
     "curves[0].x_transform"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A, x_transform: 'exp'}]}]\n",
     "curves[0].series[0].x_transform"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A}], seeds: [1, a]}]\n", "curves[0].seeds"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A}], scale: big}]\n", "curves[0].scale"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A}], log_x: 1}]\n", "curves[0].log_x"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A, pool_x: 'yes'}]}]\n",
     "curves[0].series[0].pool_x"),
    ("curves: [{title: T, x: 3, y_split: d, y_metric: m, series: [{label: A}]}]\n", "curves[0].x"),
    ("curves: [{title: T, x: k, y_split: d, y_metric: m, series: [{label: A}, {label: A}]}]\n", "curves[0].series"),
    ("curves:\n  - {title: T, x: k, y_split: d, y_metric: m, series: [{label: A}]}\n"
     "  - {title: T, x: j, y_split: d, y_metric: m, series: [{label: B}]}\n", "curves.name"),
    ("curves:\n  - {title: [unclosed\n", "<yaml>"),
]


@pytest.mark.parametrize(("text", "field"), BAD)
def test_bad_yaml_names_file_and_field(tmp_path: Path, text: str, field: str):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(DataFormatError) as err:
        load_curve_specs(path)
    assert err.value.field == field
    assert str(path) in str(err.value)


def test_cli_and_render_from_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    specs = tmp_path / "tables.yaml"
    specs.write_text(YAML)
    runs = tmp_path / "runs"
    for i, r in enumerate(RECORDS):
        write_results(r, runs / f"r{i:02d}" / "results.json")
    out = tmp_path / "figs"
    assert main(["--specs", str(specs), "--runs", str(runs), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["eff.md", "eff.png", "label_equivalents.md",
                                                    "label_equivalents.png"]
    assert (out / "eff.md").read_text() == GOLDEN_MD
    assert (out / "eff.png").read_bytes()[:8] == PNG_MAGIC
    captured = capsys.readouterr()
    assert "| 100 | 76.0 ± 1.7 (n=3) | 65.0 ± 1.0 (n=3) |" in captured.out
    assert f"{len(RECORDS)} record(s)" in captured.err
    assert main(["--specs", str(specs), "--runs", str(runs), "--out", str(out), "--strict"]) == 1  # 2 skipped runs
    assert main(["--specs", str(specs), "--runs", str(runs), "--out", str(tmp_path / "one"), "--name",
                 "label_equivalents", "--strict"]) == 0
    paths = render_curves_from_yaml(specs, RECORDS, tmp_path / "lead", name="eff")
    assert [p.name for p in paths] == ["eff.png", "eff.md"]
    with pytest.raises(KeyError, match="no curve named"):
        render_curves_from_yaml(specs, RECORDS, tmp_path / "lead", name="nope")
