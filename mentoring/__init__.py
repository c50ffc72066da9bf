"""Parent Partners, cases, contacts, supervision, clinical support and training."""
