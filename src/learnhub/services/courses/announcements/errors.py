"""Errors of the announcements sub-domain."""

from learnhub.kit.errors import NotFound


class AnnouncementNotFound(NotFound):
    title = "No such announcement"
    slug = "announcement-not-found"
