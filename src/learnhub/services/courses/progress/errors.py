"""Errors of the progress sub-domain."""

from learnhub.kit.errors import Conflict, NotFound


class NotALesson(Conflict):
    title = "Only lessons are marked done by hand"
    slug = "not-a-lesson"


class CertificateNotFound(NotFound):
    title = "Certificate not found"
    slug = "certificate-not-found"


class OutcomeRecordedMeanwhile(Conflict):
    title = "An outcome was recorded at the same time"
    slug = "outcome-recorded-meanwhile"
