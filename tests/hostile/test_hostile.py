"""Hostile input for every leaf command of the CLI and every input-file format (issue 21).

The leaf commands are discovered by walking the click group ``nuem.cli.cli``, so a new
command is covered without editing this file: each of its options gets the hostile values
its type calls for (NaN, infinities, empty string, wrong type, values outside the declared
range, unknown choices, bad output paths), and the three input-file formats (dataset YAML,
detector TOML, profile CSV) get broken files.  Every case must end cleanly: exit status 2,
exactly one line on stderr that names the option or the file (and the field), no
traceback, no RuntimeWarning, nothing written or modified.

The commands run in-process through click's CliRunner (fast); tests/hostile/
test_issue21_cases.py runs a few through the real entry point in a subprocess.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from nuem._checks import Count, OutPath, Real
from nuem.cli import cli

# --------------------------------------------------------------------------- discovery


def leaf_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    """(path, command) for every leaf command below ``group``, depth first."""
    for name in sorted(group.commands):
        cmd = group.commands[name]
        if isinstance(cmd, click.Group):
            yield from leaf_commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


LEAVES = dict(leaf_commands())

# A valid, cheap invocation of the commands whose required input is not an option with a
# typed example (arguments, free text); the others get one built from their types.
BASE: dict[tuple[str, ...], list[str]] = {
    ("limit",): ["xenonnt-2022"],
    ("predict", "model"): ["left-right"],
    ("xsec",): ["--flavour", "e", "--energy", "1", "--recoil", "0.1"],
    ("sfp",): ["--profile", "constant", "--flavours", "1", "--energies", "1,7"],
    ("spectrum",): ["--bins", "4"],
    ("portal", "limit"): ["xenonnt-2022", "--n-masses", "2"],
    # SPEC.yaml: the small valid spec the workdir fixture writes
    ("scan",): ["{tmp}/spec.yaml"],
}


def base_args(path: tuple[str, ...], cmd: click.Command) -> list[str]:
    """A valid invocation of ``cmd``: BASE, else each required option at its example."""
    if path in BASE:
        return list(BASE[path])  # "{tmp}" stands for the workdir fixture's folder
    args: list[str] = []
    for p in cmd.params:
        if not p.required:
            continue
        if isinstance(p, click.Option) and isinstance(p.type, (Real, Count)):
            args += [p.opts[0], repr(p.type.example)]
        elif isinstance(p, click.Option) and isinstance(p.type, click.Choice):
            args += [p.opts[0], str(p.type.choices[0])]
    return args


# --------------------------------------------------------------------------- option values
def _g(x: float) -> str:
    return repr(float(x))


def hostile_values(opt: click.Option) -> list[tuple[str, str]]:
    """(category, value) pairs that the option's declared type must refuse."""
    t = opt.type
    out: list[tuple[str, str]] = []
    if isinstance(t, Real):
        out += [("nan", "nan"), ("nan", "NaN"), ("inf", "inf"), ("inf", "-inf"),
                ("inf", "1e999"), ("empty", ""), ("wrong type", "abc"), ("wrong type", "1,5"),
                ("wrong type", "0x1p3")]
        if t.lo is not None:
            out.append(("negative" if t.lo >= 0 else "below range", _g(t.lo - abs(t.lo) - 1)))
            out.append(("huge", "-1e300"))
            if t.lo_open or t.lo > 0:
                out.append(("zero" if t.lo == 0 else "below range", _g(t.lo if t.lo_open else 0)))
        if t.hi is not None:
            out.append(("huge", _g(t.hi + abs(t.hi) + 1)))
            out.append(("huge", "1e300"))
    elif isinstance(t, Count):
        out += [("nan", "nan"), ("inf", "inf"), ("empty", ""), ("wrong type", "1.5"),
                ("wrong type", "ten"), ("below range", str(t.lo - 1)), ("negative", "-7")]
        if t.hi is not None:
            out.append(("huge", str(t.hi + 1)))
            out.append(("huge", "10" + "0" * 40))
    elif isinstance(t, click.IntRange):
        out += [("nan", "nan"), ("empty", ""), ("wrong type", "two"), ("wrong type", "2.5")]
        if t.min is not None:
            out.append(("below range", str(t.min - 1)))
        if t.max is not None:
            out.append(("huge", str(t.max + 1)))
    elif isinstance(t, click.Choice):
        out += [("unknown choice", "no-such-choice"), ("empty", ""),
                ("unknown choice", str(t.choices[0]).upper() + "x")]
    elif isinstance(t, OutPath):
        out += [("bad output path", ""), ("bad output path", " "),
                ("bad output path", "/proc/nuem-hostile-out"),
                ("bad output path", "/proc/no/such/dir/x.png"),
                ("bad output path", "{tmp}/missing-folder/x.png"),
                ("bad output path", "{tmp}/input.txt/inside.png")]
        if t.kind != "dir":
            out.append(("bad output path", "{tmp}/not-a-dir/"))
        if t.kind == "file":
            out.append(("bad output path", "{tmp}/figure.txt"))
        if t.kind == "dir":
            out.append(("bad output path", "{tmp}/input.txt"))
    elif isinstance(t, click.types.FloatParamType) or isinstance(t, click.types.IntParamType):
        out += [("nan", "nan"), ("empty", ""), ("wrong type", "abc")]
    return out


# free-text options: values the command must refuse (name, value) per option name
TEXT_VALUES: dict[str, list[tuple[str, str]]] = {
    "--target": [("unknown choice", "lead"), ("empty", "")],
    "--detector": [("unknown choice", "no-such-detector"), ("empty", ""),
                   ("bad file", "{tmp}"), ("bad file", "{tmp}/missing.toml")],
    "--profile": [("unknown choice", "no-such-profile"), ("empty", ""), ("bad file", "{tmp}")],
    "--energies": [("empty", ""), ("empty", ","), ("zero", "1:10:0"), ("negative", "1:10:-5"),
                   ("wrong type", "1:10"), ("wrong type", "a,b"), ("wrong type", "1:10:2.5"),
                   ("nan", "nan,5"), ("nan", "1:nan:5"), ("inf", "inf"), ("inf", "1:inf:4"),
                   ("negative", "-1,2"), ("zero", "0,5"), ("huge", "1:10:100000000"),
                   ("huge", "1:10:" + "9" * 30)],
    "--param": [("wrong type", "xi"), ("nan", "xi=nan"), ("wrong type", "xi=abc"),
                ("unknown choice", "nope=1"), ("inf", "xi=inf")],
}

# option names whose failures the message may state without dashes (library names)
ALIASES = {"--param": ("xi", "--param", "nope")}


def option_cases():
    for path, cmd in LEAVES.items():
        for p in cmd.params:
            if not isinstance(p, click.Option) or p.is_flag or p.hidden:
                continue
            flag = p.opts[0]
            values = hostile_values(p)
            if isinstance(p.type, click.types.StringParamType):
                values = values + TEXT_VALUES.get(flag, [("empty", "")] if flag != "--param"
                                                  else [])
            for cat, v in values:
                yield pytest.param(path, flag, v, id=f"{' '.join(path)} {flag}={v!r} [{cat}]")


OPTION_CASES = list(option_cases())

# --------------------------------------------------------------------------- input files
DATASET = """\
name: toy
target: xenon
exposure_t_yr: 1.0
detector: xenonnt-sr0
range_keV: [1.0, 29.8]
events: [2.0, 5.0, 9.5, 14.0, 22.0]
background:
  solar_sm_included: true
  components:
    - name: flat
      table: {E_keV: [0.5, 40.0], rate: [10.0, 10.0]}
      normalisation: free
"""

DETECTOR = """\
name = "toy"
target = "germanium"
exposure_t_yr = 0.0015

[response]
a_sqrt_keV = 0.0
b = 0.0
threshold_keV = 2.8
window_keV = [2.8, 60.0]
efficiency = 1.0

[source]
type = "reactor"
power_GW = 3.0
distance_m = 13.9
"""

PROFILE = "r_km,density_gcc,ye,b_tesla\n0,10,0.5,1\n1000,1,0.5,1\n"

# a valid, small `nuem scan` spec (6 naturalness bounds in 4 chunks)
SCAN_SPEC = """\
computation: bound
options: {method: leading-log}
grid: {scale: [300.0, 1000.0, 100000.0], r: [0.0, 0.5]}
chunks: {scale: 2, r: 2}
"""


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


# (case id, content or None for "as named", the field the message must name)
def _common(ext: str):
    return [
        ("empty file", b"", "empty"),
        ("blank file", b"\n  \n", "empty"),
        ("binary file", bytes(range(256)) * 4, "binary"),
        ("latin-1 file", "name: caf\xe9 \xb5\n".encode("latin-1"), "UTF-8"),
        ("utf-16 file", "name = 'x'\n".encode("utf-16"), ""),
        ("directory", "DIR", "directory"),
        ("missing file", "MISSING", ""),
    ]


DATASET_CASES = _common("yaml") + [
    ("events in eV (issue 21 case 1)", _sub(DATASET, "[2.0, 5.0, 9.5, 14.0, 22.0]",
                                            "[1500, 3000, 6000, 12000]"), "range_keV"),
    ("events NaN", _sub(DATASET, "9.5", ".nan"), "events"),
    ("events inf", _sub(DATASET, "9.5", ".inf"), "events"),
    ("events negative", _sub(DATASET, "9.5", "-9.5"), "events"),
    ("events text", _sub(DATASET, "9.5", "nine"), "events"),
    ("events empty list", _sub(DATASET, "[2.0, 5.0, 9.5, 14.0, 22.0]", "[]"), "events"),
    ("exposure NaN", _sub(DATASET, "exposure_t_yr: 1.0", "exposure_t_yr: .nan"), "exposure_t_yr"),
    ("exposure inf", _sub(DATASET, "exposure_t_yr: 1.0", "exposure_t_yr: .inf"), "exposure_t_yr"),
    ("exposure zero", _sub(DATASET, "exposure_t_yr: 1.0", "exposure_t_yr: 0"), "exposure_t_yr"),
    ("exposure text", _sub(DATASET, "exposure_t_yr: 1.0", "exposure_t_yr: lots"),
     "exposure_t_yr"),
    ("range reversed", _sub(DATASET, "[1.0, 29.8]", "[29.8, 1.0]"), "range_keV"),
    ("range NaN", _sub(DATASET, "[1.0, 29.8]", "[.nan, 29.8]"), "range_keV"),
    ("range one value", _sub(DATASET, "[1.0, 29.8]", "[1.0]"), "range_keV"),
    ("rate negative", _sub(DATASET, "rate: [10.0, 10.0]", "rate: [10.0, -1.0]"), "rate"),
    ("rate NaN", _sub(DATASET, "rate: [10.0, 10.0]", "rate: [10.0, .nan]"), "rate"),
    ("rate inf", _sub(DATASET, "rate: [10.0, 10.0]", "rate: [.inf, 10.0]"), "rate"),
    ("table short of range", _sub(DATASET, "[0.5, 40.0]", "[5.0, 40.0]"), "range_keV"),
    ("normalisation bad", _sub(DATASET, "normalisation: free", "normalisation: loose"),
     "normalisation"),
    ("sigma text", _sub(DATASET, "normalisation: free", "normalisation: {sigma: wide}"),
     "sigma"),
    ("sigma inf", _sub(DATASET, "normalisation: free", "normalisation: {sigma: .inf}"), "sigma"),
    ("target unknown", _sub(DATASET, "target: xenon", "target: lead"), "target"),
    ("detector unknown", _sub(DATASET, "detector: xenonnt-sr0", "detector: nope-1t"),
     "detector"),
    ("no events or bins", DATASET.replace("events: [2.0, 5.0, 9.5, 14.0, 22.0]\n", ""),
     "events"),
    ("bins outside range", _sub(DATASET, "events: [2.0, 5.0, 9.5, 14.0, 22.0]",
                                "bins: {edges_keV: [1500, 3000, 6000], counts: [3, 4]}"),
     "range_keV"),
    ("bins counts NaN", _sub(DATASET, "events: [2.0, 5.0, 9.5, 14.0, 22.0]",
                             "bins: {edges_keV: [1, 10, 20], counts: [3, .nan]}"), "counts"),
    ("bins counts negative", _sub(DATASET, "events: [2.0, 5.0, 9.5, 14.0, 22.0]",
                                  "bins: {edges_keV: [1, 10, 20], counts: [3, -4]}"), "counts"),
    ("bins length mismatch", _sub(DATASET, "events: [2.0, 5.0, 9.5, 14.0, 22.0]",
                                  "bins: {edges_keV: [1, 10, 20], counts: [3]}"), "counts"),
    ("events file missing", _sub(DATASET, "[2.0, 5.0, 9.5, 14.0, 22.0]",
                                 "{file: no-such-events.csv}"), "no-such-events.csv"),
    ("events file binary", _sub(DATASET, "[2.0, 5.0, 9.5, 14.0, 22.0]",
                                "{file: side.bin}"), "side.bin"),
    ("reference unknown", DATASET + "references: [NoSuchPaper1999]\n", "NoSuchPaper1999"),
    ("published limit NaN", DATASET + "published: {mu: {limit: .nan, cl: 0.9}}\n",
     "published.mu.limit"),
    ("published not a mapping", DATASET + "published: [1, 2]\n", "published"),
    ("YAML syntax", "name: [toy\n", "YAML"),
    ("top level a list", "- 1\n- 2\n", "mapping"),
    ("top level a number", "42\n", "mapping"),
]

DETECTOR_CASES = _common("toml") + [
    ("exposure nan (issue 21 case 7)", _sub(DETECTOR, "0.0015", "nan"), "exposure_t_yr"),
    ("exposure inf (issue 21 case 7)", _sub(DETECTOR, "0.0015", "inf"), "exposure_t_yr"),
    ("exposure negative", _sub(DETECTOR, "0.0015", "-1.0"), "exposure_t_yr"),
    ("exposure text", _sub(DETECTOR, "0.0015", '"lots"'), "exposure_t_yr"),
    ("threshold -5 (issue 21 case 7)", _sub(DETECTOR, "threshold_keV = 2.8",
                                            "threshold_keV = -5.0"), "threshold_keV"),
    ("threshold nan", _sub(DETECTOR, "threshold_keV = 2.8", "threshold_keV = nan"),
     "threshold_keV"),
    ("resolution negative", _sub(DETECTOR, "a_sqrt_keV = 0.0", "a_sqrt_keV = -0.3"), "a="),
    ("resolution inf", _sub(DETECTOR, "b = 0.0", "b = inf"), "'b'"),
    ("window reversed", _sub(DETECTOR, "[2.8, 60.0]", "[60.0, 2.8]"), "window"),
    ("window nan", _sub(DETECTOR, "[2.8, 60.0]", "[nan, 60.0]"), "window_keV"),
    ("window text", _sub(DETECTOR, "[2.8, 60.0]", '["a", 60.0]'), "window_keV"),
    ("efficiency 2", _sub(DETECTOR, "efficiency = 1.0", "efficiency = 2.0"), "efficiency"),
    ("efficiency nan", _sub(DETECTOR, "efficiency = 1.0", "efficiency = nan"), "efficiency"),
    ("efficiency file missing", _sub(DETECTOR, "efficiency = 1.0",
                                     'efficiency_file = "no-such-eff.csv"'), "no-such-eff.csv"),
    ("efficiency file binary", _sub(DETECTOR, "efficiency = 1.0",
                                    'efficiency_file = "side.bin"'), "side.bin"),
    ("efficiency file NaN", _sub(DETECTOR, "efficiency = 1.0",
                                 'efficiency_file = "eff_nan.csv"'), "eff_nan.csv"),
    ("power negative", _sub(DETECTOR, "power_GW = 3.0", "power_GW = -3.0"), "power"),
    ("power nan", _sub(DETECTOR, "power_GW = 3.0", "power_GW = nan"), "power"),
    ("distance zero", _sub(DETECTOR, "distance_m = 13.9", "distance_m = 0.0"), "distance"),
    ("distance inf", _sub(DETECTOR, "distance_m = 13.9", "distance_m = inf"), "distance"),
    ("power missing", DETECTOR.replace("power_GW = 3.0\n", ""), "power_GW"),
    ("source type unknown", _sub(DETECTOR, 'type = "reactor"', 'type = "lunar"'), "type"),
    ("target unknown", _sub(DETECTOR, 'target = "germanium"', 'target = "lead"'), "target"),
    ("name missing", DETECTOR.replace('name = "toy"\n', ""), "name"),
    ("references not a list", 'references = "x"\n' + DETECTOR, "references"),
    ("TOML syntax", "name = \n", "TOML"),
]

PROFILE_CASES = _common("csv") + [
    ("density NaN", _sub(PROFILE, "0,10,", "0,nan,"), "density_gcc"),
    ("density inf", _sub(PROFILE, "0,10,", "0,inf,"), "density_gcc"),
    ("density negative", _sub(PROFILE, "0,10,", "0,-10,"), "density_gcc"),
    ("field inf", _sub(PROFILE, "0.5,1\n1000", "0.5,inf\n1000"), "b_tesla"),
    ("ye above 1", _sub(PROFILE, "1000,1,0.5", "1000,1,1.5"), "ye"),
    ("r not increasing", _sub(PROFILE, "1000,1", "0,1"), "r_km"),
    ("one row", "r_km,density_gcc,ye,b_tesla\n0,10,0.5,1\n", "r_km"),
    ("header only", "r_km,density_gcc,ye,b_tesla\n", "columns"),
    ("column missing", "r_km,density_gcc,ye\n0,10,0.5\n1000,1,0.5\n", "b_tesla"),
    ("text value", _sub(PROFILE, "0,10,", "0,ten,"), "density_gcc"),
]

FILE_FORMATS = {
    # command path, how the file is given, template cases, suffix
    "dataset": (("limit",), lambda f: ["limit", f], DATASET_CASES, ".yaml"),
    "detector": (("spectrum",), lambda f: ["spectrum", "--detector", f, "--bins", "4"],
                 DETECTOR_CASES, ".toml"),
    "detector-in-dataset": (("limit",), None, [], ".yaml"),
    "profile": (("sfp",), lambda f: ["sfp", "--profile", f, "--energies", "5,10",
                                     "--flavours", "1"], PROFILE_CASES, ".csv"),
}


def file_cases():
    for fmt, (_, argv, cases, _) in FILE_FORMATS.items():
        for case_id, _content, _field in cases:
            yield pytest.param(fmt, case_id, id=f"{fmt}: {case_id}")
    # a detector file referred to by a dataset: the detector's errors through `limit`
    for case_id, _content, _field in DETECTOR_CASES[7:]:
        yield pytest.param("detector-in-dataset", case_id, id=f"detector-in-dataset: {case_id}")


FILE_CASES = list(file_cases())


# --------------------------------------------------------------------------- running
@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A fresh current directory holding a few inputs the cases point at."""
    (tmp_path / "input.txt").write_text("an input file\n")
    (tmp_path / "side.bin").write_bytes(bytes(range(256)))
    (tmp_path / "eff_nan.csv").write_text("E_keV,efficiency\n1,0.5\nnan,0.6\n100,1\n")
    (tmp_path / "subdir").mkdir()
    (tmp_path / "spec.yaml").write_text(SCAN_SPEC)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            st = p.stat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def run_clean(args: list[str], must_name: tuple[str, ...], root: Path) -> str:
    """Run ``nuem args`` in-process; assert the clean failure; return the stderr line."""
    before = snapshot(root)
    res = CliRunner().invoke(cli, args, catch_exceptions=True)
    err = res.stderr
    shown = f"nuem {' '.join(map(repr, args))}: exit {res.exit_code}\nstdout={res.stdout!r}\n" \
            f"stderr={err!r}\nexception={res.exception!r}"
    assert res.exit_code == 2, shown
    assert isinstance(res.exception, SystemExit), shown
    assert "Traceback" not in res.output + err, shown
    assert "Warning" not in err, shown
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("Error: "), shown
    assert any(m.lower() in err.lower() for m in must_name), (must_name, shown)
    assert res.stdout == "", shown
    assert snapshot(root) == before, shown
    return lines[0]


def test_every_leaf_command_is_covered():
    """Discovery found the commands the issue lists, and each has a hostile case."""
    expected = {("bound",), ("eft", "run"), ("xsec",), ("spectrum",), ("limit",), ("limits",),
                ("plot", "global"), ("report",), ("sfp",), ("cite",), ("predict", "sm"),
                ("predict", "model"), ("astro", "decay"), ("astro", "plasmon"),
                ("astro", "red-giant")}
    assert expected <= set(LEAVES)
    covered = {c.values[0] for c in OPTION_CASES} | {FILE_FORMATS[c.values[0]][0]
                                                     for c in FILE_CASES}
    for path, cmd in LEAVES.items():
        has_input = any(isinstance(p, click.Option) and not p.is_flag for p in cmd.params)
        assert path in covered or not has_input, path


def test_at_least_300_hostile_inputs():
    n = len(OPTION_CASES) + len(FILE_CASES) + len(LEAVES) * len(GENERIC)
    assert n >= 300, n


@pytest.mark.parametrize("path, flag, value", OPTION_CASES)
def test_hostile_option(path, flag, value, workdir):
    base = [a.format(tmp=workdir) for a in base_args(path, LEAVES[path])]
    args = list(path) + base + [flag, value.format(tmp=workdir)]
    assert run_clean(args, ALIASES.get(flag, (flag,)), workdir).startswith("Error: ")


GENERIC = [
    ("unknown option", ["--no-such-option", "1"], ("--no-such-option",)),
    ("unknown option typo", ["--jsn"], ("--jsn",)),
    ("extra argument", ["surplus-argument-1", "surplus-argument-2"], ("surplus-argument",)),
]


@pytest.mark.parametrize("case", range(len(GENERIC)), ids=[g[0] for g in GENERIC])
@pytest.mark.parametrize("path", list(LEAVES), ids=[" ".join(p) for p in LEAVES])
def test_hostile_generic(path, case, workdir):
    _, extra, names = GENERIC[case]
    args = list(path) + [a.format(tmp=workdir) for a in base_args(path, LEAVES[path])] + extra
    assert run_clean(args, names, workdir).startswith("Error: ")


def _write_case(workdir: Path, fmt: str, case_id: str) -> tuple[list[str], tuple[str, ...]]:
    if fmt == "detector-in-dataset":
        content, field = next((c, f) for i, c, f in DETECTOR_CASES if i == case_id)
        det = workdir / "det.toml"
        det.write_bytes(content.encode() if isinstance(content, str) else content)
        ds = workdir / "ds.yaml"
        ds.write_text(_sub(DATASET, "detector: xenonnt-sr0", "detector: det.toml")
                      .replace("target: xenon\n", ""))
        return ["limit", str(ds)], ("ds.yaml",) if not field else (field,)
    _, argv, cases, suffix = FILE_FORMATS[fmt]
    content, field = next((c, f) for i, c, f in cases if i == case_id)
    f = workdir / f"input{suffix}"
    if content == "DIR":
        f = workdir / "subdir"
    elif content == "MISSING":
        f = workdir / f"missing{suffix}"
    else:
        f.write_bytes(content.encode() if isinstance(content, str) else content)
    return argv(str(f)), (field,) if field else (f.name,)


@pytest.mark.parametrize("fmt, case_id", FILE_CASES)
def test_hostile_file(fmt, case_id, workdir):
    args, fields = _write_case(workdir, fmt, case_id)
    line = run_clean(args, fields, workdir)
    name = "ds.yaml" if fmt == "detector-in-dataset" else Path(args[1 if fmt == "dataset"
                                                                  else 2]).name
    assert name in line, line
