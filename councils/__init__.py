"""Local and state advisory councils, and outreach and education events."""
