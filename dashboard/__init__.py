"""The app layer: what the page scripts in views/ share (settings, state, cached models, figures)."""
