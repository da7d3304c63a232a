"""Figure builders: pure functions from arrays to Altair charts or matplotlib Figures."""
from .common import PALETTE, auto_limits, density_grid, new_figure, mode_colors
