"""Errors of the gradebook sub-domain."""

from learnhub.kit.errors import BadRequest, NotFound


class LearnerNotInCourse(NotFound):
    title = "This user is not a learner of the course"
    slug = "learner-not-in-course"


class NotGradedItem(BadRequest):
    title = "This item is not graded"
    slug = "not-graded-item"


class InvalidOverride(BadRequest):
    title = "This grade does not fit the item"
    slug = "invalid-override"


class OverrideNotFound(NotFound):
    title = "No override in effect"
    slug = "override-not-found"
