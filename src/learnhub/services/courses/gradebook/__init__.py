"""gradebook of the courses service."""
