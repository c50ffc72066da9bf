"""Quarterly state reports and dashboards, read through the other apps' selectors."""
