"""progress of the courses service."""
