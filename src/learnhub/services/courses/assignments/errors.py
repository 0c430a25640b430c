"""Errors of the assignments sub-domain: one class, one problem type, per cause.

Clients branch on the problem type (the slug); a base class groups causes of one kind so
the service can catch them together. Errors about fields of the request also list them in
``errors`` with a machine-readable ``code``.
"""

from typing import Any

from learnhub.kit.errors import BadRequest, Conflict, Forbidden, NotFound


def field_error(field: str, pointer: str, code: str, detail: str) -> dict[str, Any]:
    """One entry of a problem's ``errors``, shaped like a validation error's."""
    return {"field": field, "pointer": pointer, "code": code, "detail": detail}


class AssignmentNotFound(NotFound):
    title = "Assignment not found"
    slug = "assignment-not-found"


class SubmissionNotFound(NotFound):
    title = "Submission not found"
    slug = "submission-not-found"


class SubmissionHasNoFile(NotFound):
    title = "This submission has no file"
    slug = "submission-has-no-file"


class RubricCriterionNotFound(NotFound):
    title = "The rubric has no such criterion"
    slug = "rubric-criterion-not-found"


# ---------------------------------------------------------------- settings


class InvalidAssignmentSettings(BadRequest):
    """Settings that are each valid but do not fit the platform or each other."""

    title = "These assignment settings do not fit together"
    slug = "invalid-assignment-settings"


class FileLimitAbovePlatform(InvalidAssignmentSettings):
    title = "The file size limit is above the platform's"
    slug = "file-limit-above-platform"


class UnknownRubricCriterion(InvalidAssignmentSettings):
    title = "The rubric has no criterion with this id"
    slug = "unknown-rubric-criterion"


class RubricTotalMismatch(InvalidAssignmentSettings):
    title = "The rubric's points do not add up to the assignment's points"
    slug = "rubric-total-mismatch"


# ---------------------------------------------------------------- submissions


class InvalidSubmission(BadRequest):
    """Work that does not fit the assignment's rules."""

    title = "This submission does not match the assignment"
    slug = "invalid-submission"


class EmptySubmission(InvalidSubmission):
    title = "The submission has no text and no file"
    slug = "empty-submission"


class TextNotAccepted(InvalidSubmission):
    title = "This assignment takes a file, not text"
    slug = "text-not-accepted"


class FileNotAccepted(InvalidSubmission):
    title = "This assignment takes text, not a file"
    slug = "file-not-accepted"


class TextTooLong(InvalidSubmission):
    title = "The text is too long"
    slug = "text-too-long"


class FileNameMissing(InvalidSubmission):
    title = "The file has no name"
    slug = "file-name-missing"


class EmptyFile(InvalidSubmission):
    title = "The file is empty"
    slug = "empty-file"


class FileTypeNotAllowed(InvalidSubmission):
    title = "This kind of file is not accepted"
    slug = "file-type-not-allowed"


class PastDue(Conflict):
    title = "The due date has passed"
    slug = "past-due"


class ResubmissionNotAllowed(Conflict):
    """The learner has handed in already and may not send another version."""

    title = "You cannot submit again"
    slug = "resubmission-not-allowed"


class SingleSubmissionOnly(ResubmissionNotAllowed):
    title = "This assignment takes one submission only"
    slug = "single-submission-only"


class AlreadyGraded(ResubmissionNotAllowed):
    title = "Your submission has been graded and cannot be replaced"
    slug = "already-graded"


class ResubmissionClosed(ResubmissionNotAllowed):
    title = "Submissions can be replaced only until the due date"
    slug = "resubmission-closed"


class NotYourSubmission(Forbidden):
    title = "This is another learner's submission"
    slug = "not-your-submission"


# ---------------------------------------------------------------- grading


class InvalidGrade(BadRequest):
    """A grade that does not fit the assignment."""

    title = "This grade does not fit the assignment"
    slug = "invalid-grade"


class ScoreRequired(InvalidGrade):
    title = "Send the score"
    slug = "score-required"


class ScoreAboveMaximum(InvalidGrade):
    title = "The score is above the assignment's points"
    slug = "score-above-maximum"


class RubricPointsRequired(InvalidGrade):
    title = "This assignment has a rubric: send points for every criterion"
    slug = "rubric-points-required"


class NoRubricToGrade(InvalidGrade):
    title = "This assignment has no rubric; send a score only"
    slug = "no-rubric"


class InvalidRubricPoints(InvalidGrade):
    """``errors`` lists each criterion wrongly graded, its field ``rubric.<criterion id>``
    with a code: ``unknown_criterion``, ``graded_twice``, ``above_criterion_points`` or
    ``missing_criterion``."""

    title = "Some rubric points do not fit the rubric"
    slug = "invalid-rubric-points"


class ScoreNotRubricSum(InvalidGrade):
    title = "The score is not the sum of the rubric's points"
    slug = "score-not-rubric-sum"


class NoPoints(Conflict):
    title = "The assignment has no points"
    slug = "no-points"
