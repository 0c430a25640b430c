"""Errors of the assignments sub-domain."""

from learnhub.kit.errors import AppError, BadRequest, Conflict, Forbidden, NotFound


class AssignmentNotFound(NotFound):
    title = "Assignment not found"
    slug = "assignment-not-found"


class SubmissionNotFound(NotFound):
    title = "Submission not found"
    slug = "submission-not-found"


class InvalidAssignmentSettings(BadRequest):
    title = "These assignment settings do not fit together"
    slug = "invalid-assignment-settings"


class InvalidSubmission(BadRequest):
    title = "This submission does not match the assignment"
    slug = "invalid-submission"


class FileTypeNotAllowed(BadRequest):
    title = "This kind of file is not accepted"
    slug = "file-type-not-allowed"


class FileTooLarge(AppError):
    status = 413
    title = "The file is too large"
    slug = "file-too-large"


class PastDue(Conflict):
    title = "The due date has passed"
    slug = "past-due"


class ResubmissionNotAllowed(Conflict):
    title = "You cannot submit again"
    slug = "resubmission-not-allowed"


class NotYourSubmission(Forbidden):
    title = "This is another learner's submission"
    slug = "not-your-submission"


class InvalidGrade(BadRequest):
    title = "This grade does not fit the assignment"
    slug = "invalid-grade"


class NoPoints(Conflict):
    title = "The assignment has no points"
    slug = "no-points"


class SupersededSubmission(Conflict):
    title = "A newer version of this submission exists"
    slug = "superseded-submission"
