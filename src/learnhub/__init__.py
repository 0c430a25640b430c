"""learnhub: an e-learning platform built as microservices that also run in one process."""

__version__ = "0.1.0"
