"""Errors of the enrollment sub-domain."""

from learnhub.kit.errors import BadRequest, Conflict, Forbidden, NotFound


class AlreadyEnrolled(Conflict):
    title = "Already enrolled"
    slug = "already-enrolled"


class InviteOnly(Forbidden):
    title = "This course is by invitation only"
    slug = "invite-only"


class EnrollmentNotFound(NotFound):
    title = "Enrollment not found"
    slug = "enrollment-not-found"


class EnrollmentStateConflict(Conflict):
    title = "The enrollment is not in a state that allows this"
    slug = "enrollment-state"


class OwnerMembership(Conflict):
    title = "The course's owner cannot be removed"
    slug = "owner-membership"


class InvalidCsv(BadRequest):
    title = "Invalid CSV file"
    slug = "invalid-csv"


class GroupNotFound(NotFound):
    title = "No such group"
    slug = "group-not-found"


class GroupNameTaken(Conflict):
    title = "The course has a group by this name"
    slug = "group-name-taken"


class NotLearnersOfCourse(BadRequest):
    title = "Only the course's active learners can be in a group"
    slug = "not-learners-of-course"
