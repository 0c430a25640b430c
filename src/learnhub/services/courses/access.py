"""Who may do what in a course. Course roles (instructor, teaching assistant, learner)
are memberships kept by this service; platform admins may do everything."""

from __future__ import annotations

from dataclasses import dataclass

from learnhub.kit.auth import Principal
from learnhub.kit.errors import Unauthorized
from learnhub.services.courses.errors import NotEnrolled
from learnhub.services.courses.models import Course, Enrollment, Item

COURSE_ROLES = ("instructor", "teaching_assistant", "learner")


@dataclass(frozen=True)
class CourseAccess:
    """A course as seen by one caller (who may be anonymous)."""

    course: Course
    principal: Principal | None
    membership: Enrollment | None

    @property
    def user_id(self) -> str | None:
        return self.principal.user_id if self.principal else None

    @property
    def signed_in(self) -> Principal:
        """The caller, where the endpoint's loader let only signed-in callers through."""
        if self.principal is None:
            raise Unauthorized("Sign in first.")
        return self.principal

    @property
    def signed_in_user_id(self) -> str:
        return self.signed_in.user_id

    @property
    def enrollment(self) -> Enrollment:
        """The caller's membership, where the endpoint's loader let only members through."""
        if self.membership is None:
            raise NotEnrolled("Enroll in this course first.")
        return self.membership

    @property
    def is_admin(self) -> bool:
        return self.principal is not None and self.principal.has_role("admin")

    def _active_role(self, *roles: str) -> bool:
        return (
            self.membership is not None
            and self.membership.status == "active"
            and self.membership.role in roles
        )

    @property
    def can_edit(self) -> bool:
        """Change the course, its structure and content; manage its staff."""
        return self.is_admin or self._active_role("instructor")

    @property
    def is_staff(self) -> bool:
        """See every learner's work, grade, enroll people, see drafts."""
        return self.is_admin or self._active_role("instructor", "teaching_assistant")

    @property
    def is_learner(self) -> bool:
        return self._active_role("learner")

    def sees(self, item: Item) -> bool:
        """A draft item is for the course's staff only; learners do not see it at all."""
        return item.published or self.is_staff

    @property
    def is_member(self) -> bool:
        """Study the course and read what its staff tell its members (admins included)."""
        return self.is_staff or self.is_learner

    @property
    def can_view(self) -> bool:
        """See the course page: published and archived courses are public; drafts only to staff."""
        return self.course.visibility != "draft" or self.is_staff
