"""Screening rules: the pure engine (engine.py) and, around it, the Django side that stores rules."""
