"""Referrals and the families they bring: intake, triage, outcomes data."""
