"""Budgets, noise and mechanisms. ``noise.py`` is the only module that samples noise."""
