"""assignments of the courses service."""
