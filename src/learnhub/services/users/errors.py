"""Errors of the users service."""

from learnhub.kit.errors import Conflict, NotFound


class ProfileNotFound(NotFound):
    title = "Profile not found"
    slug = "profile-not-found"


class OwnAdminRole(Conflict):
    title = "You cannot remove your own admin role"
    slug = "own-admin-role"
