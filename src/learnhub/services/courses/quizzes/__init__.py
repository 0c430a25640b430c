"""quizzes of the courses service."""
