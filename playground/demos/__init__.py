"""Small standalone pages: the live-chart component on synthetic data."""
