"""Where files holding personal data are kept."""

from django.core.files.storage import storages


def private_storage():
    """The "private" storage, outside MEDIA: uploaded registers, error workbooks, stamped
    lottery results, confirmations and archived documents carry personal data and are served
    only through views that check the user's role and project."""
    return storages["private"]
