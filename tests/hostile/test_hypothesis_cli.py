"""Property tests over the numeric options of the main commands (issue 21).

For any value hypothesis draws (finite, huge, tiny, negative, NaN, infinities, or text),
``bound``, ``eft run``, ``xsec`` and ``spectrum`` either succeed with one valid JSON
object on stdout whose numbers are all finite, or fail with exit status 2 and one line on
stderr -- never a traceback, a RuntimeWarning, NaN/Infinity in the JSON, or another exit
status.
"""

from __future__ import annotations

import json
import math

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nuem.cli import cli

NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-1e6, max_value=1e6).map(repr),
    st.floats(min_value=1e-320, max_value=1e-300).map(repr),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.sampled_from(["", " ", "nan", "-inf", "1e999", "abc", "1,5", "0x10", "1e-400"]),
)

def SETTINGS(n: int):
    return settings(deadline=None, database=None, max_examples=n,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _reject_constant(name: str):
    raise AssertionError(f"JSON contains {name}")


def check(args: list[str]) -> str:
    """Run ``nuem ARGS --json``; assert a clean outcome (see the module docstring) and
    return the outcome, "exit 0" or "exit 2"."""
    res = CliRunner().invoke(cli, args + ["--json"])
    shown = f"nuem {' '.join(map(repr, args))}: exit {res.exit_code}\n{res.output}\n" \
            f"{res.exception!r}"
    assert res.exit_code in (0, 2), shown
    if res.exit_code == 0:
        assert res.stderr == "", shown
        obj = json.loads(res.stdout, parse_constant=_reject_constant)

        def walk(x):
            if isinstance(x, float):
                assert math.isfinite(x), shown
            elif isinstance(x, dict):
                for v in x.values():
                    walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)
        walk(obj)
    else:
        lines = res.stderr.strip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("Error: "), shown
        assert "Traceback" not in res.output and "Warning" not in res.stderr, shown
        assert res.stdout == "", shown
    return f"exit {res.exit_code}"


@SETTINGS(60)
@given(scale=NUMBER_TEXT, delta_m=NUMBER_TEXT, r=NUMBER_TEXT)
def test_bound_numeric_options(scale, delta_m, r):
    assert check(["bound", "--scale", scale, "--delta-m", delta_m, "--r", r])


@SETTINGS(40)
@given(scale=NUMBER_TEXT, c1=NUMBER_TEXT, c2=NUMBER_TEXT, c3=NUMBER_TEXT, to=NUMBER_TEXT,
       method=st.sampled_from(["leading-log", "running", "resummed"]))
def test_eft_run_numeric_options(scale, c1, c2, c3, to, method):
    assert check(["eft", "run", "--scale", scale, "--c1", c1, "--c2", c2, "--c3", c3, "--to", to,
           "--method", method])


@SETTINGS(40)
@given(scale=st.floats(min_value=250.0, max_value=1e18), c=st.floats(allow_nan=False),
       method=st.sampled_from(["leading-log", "running", "resummed"]))
def test_eft_run_valid_scale_any_coefficient(scale, c, method):
    assert check(["eft", "run", "--scale", repr(scale), "--c1", repr(c), "--c2", repr(-c),
           "--method", method])


@SETTINGS(60)
@given(energy=NUMBER_TEXT, recoil=NUMBER_TEXT, mu=NUMBER_TEXT, r2=NUMBER_TEXT, q=NUMBER_TEXT,
       flavour=st.sampled_from(["e", "mu", "tau"]), anti=st.booleans())
def test_xsec_numeric_options(energy, recoil, mu, r2, q, flavour, anti):
    assert check(["xsec", "--flavour", flavour, "--energy", energy, "--recoil", recoil, "--mu", mu,
           "--r2", r2, "--q", q] + (["--anti"] if anti else []))


@SETTINGS(25)
@given(mu=NUMBER_TEXT, power=NUMBER_TEXT, distance=NUMBER_TEXT, tmin=NUMBER_TEXT,
       tmax=NUMBER_TEXT, bins=st.one_of(st.integers(-5, 6).map(str), NUMBER_TEXT))
def test_spectrum_numeric_options(mu, power, distance, tmin, tmax, bins):
    assert check(["spectrum", "--source", "reactor", "--mu", mu, "--power", power, "--distance",
           distance, "--tmin", tmin, "--tmax", tmax, "--bins", bins])


@SETTINGS(40)
@given(energy=st.floats(min_value=1e-3, max_value=1e6),
       frac=st.floats(min_value=1e-9, max_value=1.0),
       mu=st.floats(min_value=0.0), r2=st.floats(allow_nan=False, allow_infinity=False),
       q=st.floats(allow_nan=False, allow_infinity=False))
def test_xsec_kinematically_valid_any_moments(energy, frac, mu, r2, q):
    """Inside the kinematics, any finite moment, radius and charge: a finite result or a
    one-line overflow error, never inf/nan."""
    t_max = 2 * energy**2 / (0.51099895 + 2 * energy)  # MeV, T_max = 2E^2/(m_e + 2E)
    assert check(["xsec", "--flavour", "e", "--energy", repr(energy), "--recoil",
           repr(max(frac * t_max, 1e-300)), "--mu", repr(mu), "--r2", repr(r2), "--q", repr(q)])


@SETTINGS(12)
@given(mu=st.floats(min_value=0.0, allow_infinity=False),
       power=st.floats(min_value=1e-6, max_value=1e6), distance=st.floats(min_value=1.0,
                                                                          max_value=1e7))
def test_spectrum_reactor_valid_ranges_any_moment(mu, power, distance):
    assert check(["spectrum", "--source", "reactor", "--mu", repr(mu), "--power", repr(power),
           "--distance", repr(distance), "--bins", "3"])
