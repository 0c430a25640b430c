"""The composition root: the `learnhub` command builds and runs the platform."""
