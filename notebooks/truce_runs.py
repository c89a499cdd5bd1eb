"""Load and check the folders that truce writes, for the notebooks in this folder.

    from truce_runs import OUTCOMES, RunFolderError, load_run, load_design_results

    run = load_run("../output/endgame")      # a folder written by `truce run`
    run["summary"]      # summary.json, parsed and checked
    run["runs"]         # runs.csv as a DataFrame (one row per rollout)
    run["ts"]           # timeseries.csv as a DataFrame (one row per month and metric)
    run["manifest"]     # manifest.json, parsed; None when the folder has none
    run["path"]         # the folder, as a Path

    results = load_design_results(out_dir, design)   # `truce sensitivity --design` output

Every problem found raises RunFolderError, whose message is one line: the file, what is wrong
with it, and how to get a good one back. Nothing the notebooks read is left unchecked, so a
damaged or hand-edited folder stops the notebook at the start instead of giving a wrong chart.
The formats are described in docs/outputs.md and docs/analysis.md. Only the standard library,
numpy and pandas are used.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["OUTCOMES", "RunFolderError", "load_run", "load_design_results"]

# The six end states, in the order docs/outputs.md gives them.
OUTCOMES = ("settlement", "ceasefire", "fight_and_talk",
            "ukraine_collapse", "russia_exhaustion", "escalation")

SUMMARY = "summary.json"
RUNS = "runs.csv"
TIMESERIES = "timeseries.csv"
MANIFEST = "manifest.json"
DESIGN_RESULTS = "design_results.csv"

TIMESERIES_COLUMNS = ("month", "date", "metric", "mean", "p05", "p25", "p50", "p75", "p95")
AREA_STATS = ("mean", "p05", "p25", "p50", "p75", "p95")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class RunFolderError(Exception):
    """A run folder (or a file in it) that the notebooks cannot use.

    `path` is the file (or folder) at fault, `problem` what is wrong with it, `fix` how to get a
    good one. str() gives all three on one line.
    """

    def __init__(self, path, problem, fix=None):
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(self._message())

    def _message(self):
        text = f"{self.path}: {self.problem}"
        return f"{text}. {self.fix}" if self.fix else text

    def __str__(self):
        return self._message()

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: the message is the whole story.
        return [f"RunFolderError: {self}"]


# ---------------------------------------------------------------------------------------------
# How to get a good folder back


def _read_manifest(folder: Path):
    """manifest.json as a dict when it is truce's (it has a `truce_version`), else None."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(manifest, dict) and isinstance(manifest.get("truce_version"), str):
        return manifest
    return None


# truce replaces only a folder it recognises as its own, by its manifest.json.
_NOT_OURS = ("Remove the folder and re-run `{cmd}` to write it again, or write a new one with "
             "another --out")


def _rerun_hint(folder: Path) -> str:
    """How to rewrite `folder` with `truce run`, as precisely as its manifest.json allows."""
    out = shlex.quote(str(folder))
    manifest = _read_manifest(folder)
    if manifest is None:
        return _NOT_OURS.format(cmd=f"truce run SCENARIO --out {out}")
    cmd = ["truce", "run"] + _scenario_args(manifest) + ["--out", out]
    return f"Re-run `{' '.join(cmd)}` to rewrite the folder"


def _scenario_args(manifest: dict) -> list:
    """The scenario, -n, --seed and overrides a manifest records, as command-line words."""
    if not (isinstance(manifest.get("scenario"), str) and _is_int(manifest.get("n"))
            and _is_int(manifest.get("seed"))):
        return ["SCENARIO"]
    words = [shlex.quote(manifest["scenario"]), "-n", str(manifest["n"]),
             "--seed", str(manifest["seed"])]
    for o in manifest.get("overrides") or []:
        if isinstance(o, str):
            flag, _, value = o.partition(" ")
            words += [flag, shlex.quote(value)] if value else [flag]
    return words


def _design_hint(folder: Path) -> str:
    out = shlex.quote(str(folder))
    manifest = _read_manifest(folder)
    if manifest is None:
        return _NOT_OURS.format(cmd=f"truce sensitivity SCENARIO --design DESIGN.csv --out {out}")
    words = _scenario_args(manifest)
    design = "DESIGN.csv"
    command = manifest.get("command")
    if isinstance(command, list) and "--design" in command[:-1]:
        given = command[command.index("--design") + 1]
        if isinstance(given, str):
            design = shlex.quote(given)
    cmd = ["truce", "sensitivity", words[0], "--design", design] + words[1:] + ["--out", out]
    return f"Re-run `{' '.join(cmd)}` to rewrite it"


# ---------------------------------------------------------------------------------------------
# Reading files


def _need_file(path: Path, fix: str):
    if not path.exists():
        raise RunFolderError(path, "file is missing", fix)
    if not path.is_file():
        raise RunFolderError(path, "is not a file", fix)
    if path.stat().st_size == 0:
        raise RunFolderError(path, "file is empty (0 bytes)", fix)


def _read_text(path: Path, fix: str) -> str:
    _need_file(path, fix)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise RunFolderError(path, f"is not UTF-8 text (byte {e.start})", fix) from None
    except OSError as e:
        raise RunFolderError(path, f"cannot be read ({e.strerror})", fix) from None
    if not text.strip():
        raise RunFolderError(path, "file holds only whitespace", fix)
    return text


def _read_json(path: Path, fix: str):
    text = _read_text(path, fix)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        # A truncated file fails at its end, or inside a string that the end cut open.
        stripped = text.rstrip()
        cut_open = e.msg.startswith("Unterminated string") and '"' not in stripped[e.pos + 1:]
        cut = " (the file looks cut short)" if e.pos >= len(stripped) or cut_open else ""
        msg = e.msg.removesuffix(" starting at")  # json gives the position separately
        raise RunFolderError(
            path, f"is not valid JSON at line {e.lineno}, column {e.colno}: {msg}{cut}",
            fix) from None


def _read_csv(path: Path, fix: str, dtype=None) -> pd.DataFrame:
    _read_text(path, fix)  # exists, not empty, UTF-8
    try:
        df = pd.read_csv(path, dtype=dtype)
    except pd.errors.EmptyDataError:
        raise RunFolderError(path, "has no header line", fix) from None
    except pd.errors.ParserError as e:
        detail = str(e).strip().replace("\n", " ")
        detail = detail.removeprefix("Error tokenizing data. C error: ")
        raise RunFolderError(path, f"is not valid CSV: {detail}", fix) from None
    except (ValueError, TypeError) as e:  # e.g. a column given a dtype holds something else
        raise RunFolderError(path, f"cannot be read as CSV: {e}", fix) from None
    return df


# ---------------------------------------------------------------------------------------------
# Checking JSON values


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _json_type(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    if _is_number(v):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "a list"
    return "an object"


def _show(v) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)  # nan, inf
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


class _Json:
    """Checks values of one JSON file; every failure names the file and the field."""

    def __init__(self, path: Path, fix: str):
        self.path = path
        self.fix = fix

    def fail(self, problem):
        raise RunFolderError(self.path, problem, self.fix)

    def wrong(self, where, expected, v):
        shown = "" if v is None or isinstance(v, bool) else f" ({_show(v)})"
        self.fail(f"field `{where}` must be {expected}, but is {_json_type(v)}{shown}")

    def obj(self, v, where):
        if not isinstance(v, dict):
            self.wrong(where, "an object", v)
        return v

    def field(self, obj, key, where=""):
        if key not in obj:
            name = f"{where}.{key}" if where else key
            close = difflib.get_close_matches(key, [k for k in obj if isinstance(k, str)], 1, 0.75)
            hint = f" (there is `{close[0]}`: renamed?)" if close else ""
            self.fail(f"field `{name}` is missing{hint}; the notebooks read it")
        return obj[key]

    def list(self, v, where, length=None, min_length=0):
        if not isinstance(v, list):
            self.wrong(where, "a list", v)
        if length is not None and len(v) != length:
            self.fail(f"field `{where}` must have {length} entries, but has {len(v)}")
        if len(v) < min_length:
            self.fail(f"field `{where}` must have at least {min_length} entries, but has {len(v)}")
        return v

    def string(self, v, where, pattern=None, what=None, nonempty=False):
        if not isinstance(v, str):
            self.wrong(where, "a string", v)
        if nonempty and not v.strip():
            self.fail(f"field `{where}` must not be empty")
        if pattern is not None and not pattern.match(v):
            self.fail(f"field `{where}` must be {what}, but is {_show(v)}")
        return v

    def number(self, v, where, lo=None, hi=None, integer=False, nullable=False):
        if v is None and nullable:
            return v
        kind = "a whole number" if integer else "a number"
        if lo is not None and hi is not None:
            expected = f"{kind} in [{lo:g}, {hi:g}]"
        elif lo is not None:
            expected = f"{kind} >= {lo:g}"
        else:
            expected = kind
        if nullable:
            expected += " or null"
        if integer and not _is_int(v):
            self.wrong(where, expected, v)
        if not _is_number(v):
            self.wrong(where, expected, v)
        if not math.isfinite(v):
            self.fail(f"field `{where}` must be a finite number, but is {v}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.fail(f"field `{where}` must be {expected}, but is {_show(v)}")
        return v

    def prob(self, v, where):
        return self.number(v, where, 0.0, 1.0)

    def interval(self, v, where):
        self.list(v, where, length=2)
        lo = self.prob(v[0], f"{where}[0]")
        hi = self.prob(v[1], f"{where}[1]")
        if lo > hi:
            self.fail(f"field `{where}` must be [low, high] with low <= high, but is {_show(v)}")
        return v


def _check_summary(s, path: Path, fix: str) -> dict:
    j = _Json(path, fix)
    j.obj(s, "(top level)")

    for key in ("truce_version", "title"):
        j.string(j.field(s, key), key)
    j.string(j.field(s, "scenario"), "scenario", nonempty=True)
    n = j.number(j.field(s, "n"), "n", lo=1, integer=True)
    j.number(j.field(s, "seed"), "seed", lo=0, integer=True)
    j.string(j.field(s, "start"), "start", MONTH, "a month written YYYY-MM")
    horizon = j.number(j.field(s, "horizon_months"), "horizon_months", lo=0, integer=True)

    outcomes = j.obj(j.field(s, "outcomes"), "outcomes")
    total = 0
    for o in OUTCOMES:
        where = f"outcomes.{o}"
        rec = j.obj(j.field(outcomes, o, "outcomes"), where)
        count = j.number(j.field(rec, "count", where), f"{where}.count", 0, n, integer=True)
        p = j.prob(j.field(rec, "p", where), f"{where}.p")
        j.interval(j.field(rec, "ci95", where), f"{where}.ci95")
        if abs(p - count / n) > 1e-9:
            j.fail(f"field `{where}.p` is {p:g}, but `count` / `n` = {count}/{n} = {count / n:g}")
        total += count
    unknown = sorted(set(outcomes) - set(OUTCOMES))
    if unknown:
        j.fail(f"field `outcomes` has names that are not outcomes: {', '.join(map(str, unknown))} "
               f"(the six are {', '.join(OUTCOMES)})")
    if total != n:
        j.fail(f"the outcome counts add up to {total}, but `n` is {n}")

    for key in ("ceasefire_by_month", "settlement_by_month"):
        curve = j.list(j.field(s, key), key, length=horizon + 1)
        prev = 0.0
        for m, point in enumerate(curve):
            where = f"{key}[{m}]"
            j.obj(point, where)
            month = j.number(j.field(point, "month", where), f"{where}.month", integer=True)
            if month != m:
                j.fail(f"field `{where}.month` must be {m} (one entry per month, in order), "
                       f"but is {month}")
            j.string(j.field(point, "date", where), f"{where}.date", MONTH, "a month written YYYY-MM")
            p = j.prob(j.field(point, "p", where), f"{where}.p")
            j.interval(j.field(point, "ci95", where), f"{where}.ci95")
            if p < prev - 1e-12:
                j.fail(f"field `{key}` is cumulative and cannot fall, but goes from {prev:g} "
                       f"at month {m - 1} to {p:g} at month {m}")
            prev = p

    for key in ("median_months_to_ceasefire", "median_months_to_settlement"):
        j.number(j.field(s, key), key, lo=0, nullable=True)

    area = j.obj(j.field(s, "final_area_km2"), "final_area_km2")
    for key in ("median", "p05", "p95"):
        j.number(j.field(area, key, "final_area_km2"), f"final_area_km2.{key}", lo=0)
    j.number(j.field(area, "median_pct", "final_area_km2"), "final_area_km2.median_pct", 0, 100)
    if not area["p05"] <= area["median"] <= area["p95"]:
        j.fail("field `final_area_km2` must have p05 <= median <= p95, but has "
               f"{area['p05']:g}, {area['median']:g}, {area['p95']:g}")

    ukraine = j.number(j.field(s, "ukraine_km2"), "ukraine_km2", lo=0)
    if ukraine == 0:
        j.fail("field `ukraine_km2` must be > 0, but is 0")
    j.number(j.field(s, "claimed_km2"), "claimed_km2", lo=0)
    res = j.number(j.field(s, "quantile_resolution_km2"), "quantile_resolution_km2", lo=0)
    if res == 0:
        j.fail("field `quantile_resolution_km2` must be > 0, but is 0")

    for i, point in enumerate(j.list(j.field(s, "history"), "history")):
        where = f"history[{i}]"
        j.obj(point, where)
        j.string(j.field(point, "date", where), f"{where}.date", MONTH, "a month written YYYY-MM")
        j.number(j.field(point, "km2", where), f"{where}.km2", lo=0)
    return s


# ---------------------------------------------------------------------------------------------
# Checking CSV columns


def _missing_column(path, df, col, fix, why="the notebooks read it"):
    close = difflib.get_close_matches(col, [str(c) for c in df.columns], 1, 0.75)
    hint = f" (there is `{close[0]}`: renamed?)" if close else ""
    raise RunFolderError(path, f"column `{col}` is missing{hint}; {why}", fix)


def _need_columns(path, df, cols, fix):
    for col in cols:
        if col not in df.columns:
            _missing_column(path, df, col, fix)


def _numeric(path, df, col, fix, integer=False, lo=None, hi=None, allow_empty=False) -> pd.Series:
    """The column as floats; fails on text, empty cells (unless allowed), NaN, inf, range."""
    raw = df[col]
    x = pd.to_numeric(raw, errors="coerce")
    empty = raw.isna()
    bad_text = x.isna() & ~empty
    if bad_text.any():
        i = int(np.flatnonzero(bad_text.to_numpy())[0])
        raise RunFolderError(path, f"column `{col}` must be numeric, but line {i + 2} has "
                                   f"{_show(str(raw.iloc[i]))}", fix)
    if not allow_empty and empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise RunFolderError(path, f"column `{col}` has an empty or NaN value at line {i + 2} "
                                   f"({int(empty.sum())} such row(s) in all)", fix)
    x = x.astype(float)
    vals = x.to_numpy()
    inf = np.isinf(vals)
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        raise RunFolderError(path, f"column `{col}` has an infinite value at line {i + 2}", fix)
    ok = ~np.isnan(vals)
    checks = []
    if integer:
        checks.append((ok & (vals != np.round(vals)), "a whole number"))
    if lo is not None:
        checks.append((ok & (vals < lo), f">= {lo:g}"))
    if hi is not None:
        checks.append((ok & (vals > hi), f"<= {hi:g}"))
    for bad, what in checks:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise RunFolderError(path, f"column `{col}` must be {what}, but line {i + 2} has "
                                       f"{vals[i]:g}", fix)
    return x


def _check_runs(df: pd.DataFrame, path: Path, n: int, fix: str) -> pd.DataFrame:
    _need_columns(path, df, ("rollout", "outcome"), fix)
    if len(df) != n:
        raise RunFolderError(path, f"has {len(df)} rollout row(s), but summary.json says n = {n} "
                                   "(the file is cut short or comes from another run)", fix)
    rollout = _numeric(path, df, "rollout", fix, integer=True, lo=0)
    order = np.flatnonzero(rollout.to_numpy() != np.arange(len(df)))
    if len(order):
        i = int(order[0])
        raise RunFolderError(path, f"column `rollout` must count 0, 1, 2, ... in order, but line "
                                   f"{i + 2} has {rollout.iloc[i]:g} where {i} belongs", fix)
    df["rollout"] = rollout.astype(int)
    outcome = df["outcome"]
    bad = outcome.isna() | ~outcome.isin(OUTCOMES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        value = "an empty cell" if pd.isna(outcome.iloc[i]) else _show(str(outcome.iloc[i]))
        raise RunFolderError(path, f"column `outcome` must be one of {', '.join(OUTCOMES)}, but "
                                   f"line {i + 2} has {value}", fix)
    for col in [c for c in df.columns if str(c).startswith("p.")]:
        df[col] = _numeric(path, df, col, fix)
    return df


def _check_timeseries(df: pd.DataFrame, path: Path, horizon: int, fix: str) -> pd.DataFrame:
    _need_columns(path, df, TIMESERIES_COLUMNS, fix)
    df["month"] = _numeric(path, df, "month", fix, integer=True, lo=0, hi=horizon).astype(int)
    for col in ("date", "metric"):
        empty = df[col].isna()
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise RunFolderError(path, f"column `{col}` has an empty cell at line {i + 2}", fix)
    dates = df["date"].astype(str)
    bad = ~dates.str.match(MONTH.pattern)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise RunFolderError(path, f"column `date` must hold months written YYYY-MM, but line "
                                   f"{i + 2} has {_show(dates.iloc[i])}", fix)
    for col in AREA_STATS:  # probability metrics leave the quantiles empty
        df[col] = _numeric(path, df, col, fix, allow_empty=True)
    area = df["metric"] == "area_km2"
    if not area.any():
        raise RunFolderError(path, "has no `area_km2` rows; the territory fan reads them", fix)
    months = df.loc[area, "month"].to_numpy()
    if sorted(months.tolist()) != list(range(horizon + 1)):
        raise RunFolderError(path, f"must have one `area_km2` row for each month 0 ... {horizon} "
                                   f"(horizon_months in summary.json), but has {len(months)}", fix)
    for col in AREA_STATS:
        empty = area & df[col].isna()
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise RunFolderError(path, f"column `{col}` has an empty or NaN value at line {i + 2} "
                                       "(an `area_km2` row, which needs every quantile)", fix)
    return df


# ---------------------------------------------------------------------------------------------
# The loaders


def load_run(path) -> dict:
    """Read one folder written by `truce run`, check everything the notebooks use, and return
    {"path", "summary", "manifest", "runs", "ts"}. Raises RunFolderError naming the file at fault.

    manifest.json is optional (None when absent), but when present it must be a valid JSON object
    and agree with summary.json on n and seed.
    """
    folder = Path(path).expanduser()
    fix = _rerun_hint(folder)
    if not folder.exists():
        raise RunFolderError(
            folder, f"run folder not found (looked in {folder.resolve()})",
            f"Run `truce run SCENARIO --out {shlex.quote(str(folder))}` first, or point RUNS / "
            "TRUCE_RUNS at an existing run folder")
    if not folder.is_dir():
        raise RunFolderError(folder, "is not a folder: give the folder that `truce run` wrote, "
                                     "not a file in it")

    summary_path = folder / SUMMARY
    summary = _check_summary(_read_json(summary_path, fix), summary_path, fix)

    manifest = None
    manifest_path = folder / MANIFEST
    if manifest_path.exists():
        manifest = _read_json(manifest_path, fix)
        j = _Json(manifest_path, fix)
        j.obj(manifest, "(top level)")
        for key in ("n", "seed"):
            if key in manifest and manifest[key] != summary[key]:
                j.fail(f"field `{key}` is {_show(manifest[key])}, but summary.json has "
                       f"{summary[key]}: the two files come from different runs")

    runs_path = folder / RUNS
    runs = _check_runs(_read_csv(runs_path, fix, dtype={"outcome": str}), runs_path,
                       summary["n"], fix)
    ts_path = folder / TIMESERIES
    ts = _check_timeseries(_read_csv(ts_path, fix, dtype={"date": str, "metric": str}), ts_path,
                           summary["horizon_months"], fix)
    return {"path": folder, "summary": summary, "manifest": manifest, "runs": runs, "ts": ts}


def load_design_results(path, design: pd.DataFrame | None = None, metric: str | None = None):
    """Read design_results.csv from a folder written by `truce sensitivity --design`.

    Checks that each outcome column holds probabilities in [0, 1] and, given the design that was
    evaluated, that the file has its columns and one row per design row, in order and with the
    same values. Given `metric`, checks that the file has that column. Returns the DataFrame.
    """
    folder = Path(path).expanduser()
    fix = _design_hint(folder)
    if not folder.is_dir():
        raise RunFolderError(folder, "design output folder not found" if not folder.exists()
                             else "is not a folder", fix)
    csv_path = folder / DESIGN_RESULTS
    df = _read_csv(csv_path, fix)
    if metric is not None and metric not in df.columns:
        _missing_column(csv_path, df, metric, fix, "it is the metric analysed")
    _need_columns(csv_path, df, OUTCOMES, fix)
    for o in OUTCOMES:
        df[o] = _numeric(csv_path, df, o, fix, lo=0, hi=1)
    if design is not None:
        for col in design.columns:
            if col not in df.columns:
                _missing_column(csv_path, df, col, fix, "it is a column of the design")
        if len(df) != len(design):
            raise RunFolderError(csv_path, f"has {len(df)} row(s), but the design has "
                                           f"{len(design)}", fix)
        for col in design.columns:
            got = _numeric(csv_path, df, col, fix).to_numpy()
            want = design[col].to_numpy(dtype=float)
            off = np.flatnonzero(~np.isclose(got, want, rtol=1e-9, atol=0))
            if len(off):
                i = int(off[0])
                raise RunFolderError(
                    csv_path, f"does not match the design: line {i + 2}, column `{col}` has "
                              f"{got[i]:.10g} where the design has {want[i]:.10g} (results of "
                              "another design?)", fix)
            df[col] = got
    return df
