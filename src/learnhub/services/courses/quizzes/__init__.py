"""Quizzes of the courses service: the question bank, quiz settings, timed attempts,
automatic and manual grading."""
