"""Announcements: what a course's staff tell its learners, shown on the course page and the
dashboard and announced for the notifications service to send on."""
