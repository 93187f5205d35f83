"""Run records and paper tables: ``ResultRecord`` / ``results.json``, provenance stamps, ``TableSpec`` rendering.

The grid runner lives in ``nle.results.grid`` (``python -m nle.results.grid``) and is not imported here.
"""

from nle.results.curves import (
    CurveSpec,
    Point,
    Series,
    curve_points,
    curve_problems,
    load_curve_specs,
    parse_x_transform,
    render_curves_from_yaml,
    render_png,
)
from nle.results.curves import render_markdown as render_curve_markdown
from nle.results.provenance import config_hash, git_info, package_versions, sha256_file, stamp, utc_now
from nle.results.record import SCHEMA_VERSION, ResultRecord, load_results, read_results, write_results
from nle.results.tables import (
    Cell,
    Column,
    Row,
    TableSpec,
    compute_cells,
    load_table_spec,
    load_table_specs,
    missing_cells,
    render_latex,
    render_markdown,
    tables_main,
)

__all__ = [
    "CurveSpec", "Point", "Series", "curve_points", "curve_problems", "load_curve_specs", "parse_x_transform",
    "render_curve_markdown", "render_curves_from_yaml", "render_png",
    "SCHEMA_VERSION", "Cell", "Column", "ResultRecord", "Row", "TableSpec", "compute_cells", "config_hash", "git_info",
    "load_results", "load_table_spec", "load_table_specs", "missing_cells", "package_versions", "read_results",
    "render_latex", "render_markdown", "sha256_file", "stamp", "tables_main", "utc_now", "write_results",
]
