"""Simulate a Monitron plant: realistic export records over time, and KDG templates."""
