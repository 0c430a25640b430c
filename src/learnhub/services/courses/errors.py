"""Errors of the courses service shared by its sub-domains."""

from learnhub.kit.errors import Conflict, ContentTooLarge, Forbidden, NotFound


class CourseNotFound(NotFound):
    title = "Course not found"
    slug = "course-not-found"


class ItemNotFound(NotFound):
    title = "Item not found"
    slug = "item-not-found"


class NotCourseStaff(Forbidden):
    title = "Only the course's staff may do this"
    slug = "not-course-staff"


class NotEnrolled(Forbidden):
    title = "You are not enrolled in this course"
    slug = "not-enrolled"


class PersonNotFound(NotFound):
    title = "No user with this e-mail"
    slug = "person-not-found"


class CourseStateConflict(Conflict):
    title = "The course is not in a state that allows this"
    slug = "course-state"


class FileTooLarge(ContentTooLarge):
    title = "The file is too large"
    slug = "file-too-large"
