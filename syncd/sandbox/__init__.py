"""Sandbox CRMs: the shared server harness, fault injection and seed data."""
