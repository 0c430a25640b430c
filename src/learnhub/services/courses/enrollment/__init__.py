"""enrollment of the courses service."""
