"""The standard figures of a scan store: for each output, curves against the parameter
(one scanned parameter) or a colour map with contours (two), one panel per value of the
output's own dimension (up to :data:`MAX_PANELS`; longer ones such as toys are left out)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nuem._errors import NuemValueError
from nuem.scan.store import open_store

MAX_PANELS = 6
LOG_SPAN = 100.0  # axes and colours go logarithmic when positive values span more than this


def _log(v: np.ndarray) -> bool:
    v = np.asarray(v, float)
    v = v[np.isfinite(v)]
    return v.size > 1 and bool(np.all(v > 0)) and v.max() / v.min() > LOG_SPAN


def plot_store(path: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write ``OUT_<output>.png`` for each output of the store at ``path`` (``out``
    defaults to the store path without its suffix); returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    ds = open_store(path).load()
    spec = json.loads(ds.attrs["nuem_spec"])
    if "grid" not in spec:
        params = sorted(spec["points"])
        if len(params) != 1:
            raise NuemValueError(f"--plot draws grids of one or two parameters; store {path} "
                                 f"lists points over {', '.join(params)}")
        ds = ds.swap_dims({"point": params[0]}).sortby(params[0])
    params = list(spec["dims"]) if "grid" in spec else params
    if len(params) > 2:
        raise NuemValueError(f"--plot draws one or two parameters; store {path} scans "
                             f"{len(params)} ({', '.join(params)})")
    stem = Path(out) if out is not None else Path(path).with_suffix("")
    written = []
    xunit = ds[params[0]].attrs.get("units", "")
    xlab = f"{params[0]} [{xunit}]" if xunit else params[0]
    for name, var in ds.data_vars.items():
        if name.startswith("chunk_"):
            continue
        extra = [d for d in var.dims if d not in params]
        n_panels = int(np.prod([var.sizes[d] for d in extra])) if extra else 1
        if n_panels > MAX_PANELS:
            continue
        flat = var.stack(panel=extra) if extra else var.expand_dims(panel=[""])
        labels = [", ".join(f"{d}={v}" for d, v in zip(extra, np.atleast_1d(idx)))
                  if extra else "" for idx in flat["panel"].values]
        unit = var.attrs.get("units", "")
        ylab = f"{name} [{unit}]" if unit else name
        if len(params) == 1:
            fig, ax = plt.subplots(figsize=(6, 4))
            x = ds[params[0]].values
            for k, lab in enumerate(labels):
                ax.plot(x, flat.isel(panel=k).values, marker="o", ms=3, label=lab or None)
            ax.set_xscale("log" if _log(x) else "linear")
            ax.set_yscale("log" if _log(flat.values) else "linear")
            ax.set_xlabel(xlab)
            ax.set_ylabel(ylab)
            if extra:
                ax.legend(fontsize=8)
        else:
            x, y = ds[params[0]].values, ds[params[1]].values
            yunit = ds[params[1]].attrs.get("units", "")
            fig, axes = plt.subplots(1, n_panels, figsize=(5 * n_panels, 4), squeeze=False)
            for k, lab in enumerate(labels):
                ax = axes[0, k]
                z = flat.isel(panel=k).transpose(params[1], params[0]).values
                norm = LogNorm() if _log(z) else None
                m = ax.pcolormesh(x, y, z, shading="nearest", norm=norm)
                if np.isfinite(z).sum() >= 4 and len(x) > 1 and len(y) > 1 \
                        and np.nanmax(z) > np.nanmin(z):
                    levels = (np.geomspace(np.nanmin(z), np.nanmax(z), 6)[1:-1] if norm
                              else np.linspace(np.nanmin(z), np.nanmax(z), 6)[1:-1])
                    cs = ax.contour(x, y, z, levels=levels, colors="k", linewidths=0.7)
                    ax.clabel(cs, fontsize=7, fmt="%.3g")
                fig.colorbar(m, ax=ax, label=ylab)
                ax.set_xscale("log" if _log(x) else "linear")
                ax.set_yscale("log" if _log(y) else "linear")
                ax.set_xlabel(xlab)
                ax.set_ylabel(f"{params[1]} [{yunit}]" if yunit else params[1])
                if lab:
                    ax.set_title(lab, fontsize=9)
        fig.suptitle(f"nuem scan: {spec['computation']} {name}", fontsize=10)
        fig.tight_layout()
        p = stem.parent / f"{stem.name}_{name}.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        written.append(p)
    if len(params) == 1 and "t_obs" in ds and "t_crit" in ds:  # the Feldman-Cousins belt
        fig, ax = plt.subplots(figsize=(6, 4))
        x = ds[params[0]].values
        ax.plot(x, ds["t_obs"].values, marker="o", ms=3, label="t on the data")
        ax.plot(x, ds["t_crit"].values, marker="s", ms=3, label="t_crit (toys)")
        ax.set_xlabel(xlab)
        ax.set_ylabel("profile-likelihood ratio t")
        ax.legend(fontsize=8)
        fig.suptitle("nuem scan: Feldman-Cousins belt (accepted where t <= t_crit)",
                     fontsize=10)
        fig.tight_layout()
        p = stem.parent / f"{stem.name}_belt.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        written.append(p)
    return written
