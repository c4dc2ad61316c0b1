"""Synthetic demo data: staff accounts and realistic cases. Never for production data."""
