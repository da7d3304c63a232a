"""Write the Home page's committed picture of the tutorial mixture.

    python -m tools.home_picture

dashboard/assets/home_tutorial.png: what dashboard.figures.home.home_png draws for the tutorial
preset; Home serves it on a fresh server without loading torch or matplotlib. Rerun it whenever
the picture's code changes (tests/test_home_picture.py fails until then)."""
from __future__ import annotations

import diffusion_core as dc
from dashboard.figures.home import home_png
from dashboard.home import ASSET, MIXTURE


def main():
    png = home_png(dc.PRESETS[MIXTURE])
    ASSET.parent.mkdir(parents=True, exist_ok=True)
    ASSET.write_bytes(png)
    print(f"wrote {ASSET} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
