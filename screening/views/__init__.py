"""Views, split by audience: intake.py for patients."""
