"""catalog of the courses service."""
