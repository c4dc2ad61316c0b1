"""The first of Django's upload handlers for every multipart request: a file over the per-file limit is
dropped as it arrives (never held whole in memory or on disk), and a request stops being read past
UPLOAD_MAX_REQUEST_BYTES. What was dropped is noted on the request, so the page can say which file was too
big and what to do (screening/intake/report_files.py has the words)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from screening.intake.report_files import MAX_BYTES


def dropped(request) -> set[str]:
    """The form fields whose file was over the per-file limit."""
    return getattr(request, "_oversize_uploads", set())


def stopped(request) -> bool:
    """Whether the request carried more files than one request may."""
    return getattr(request, "_uploads_stopped", False)


class SizeLimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.file_bytes = 0
        self.request_bytes = 0

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.file_bytes = 0

    def receive_data_chunk(self, raw_data, start):
        self.file_bytes += len(raw_data)
        self.request_bytes += len(raw_data)
        if self.request_bytes > settings.UPLOAD_MAX_REQUEST_BYTES:
            self.request._uploads_stopped = True
            raise StopUpload(connection_reset=False)
        if self.file_bytes > MAX_BYTES:
            if not hasattr(self.request, "_oversize_uploads"):
                self.request._oversize_uploads = set()
            self.request._oversize_uploads.add(self.field_name)
            raise SkipFile
        return raw_data  # on to the next handler, which keeps it

    def file_complete(self, file_size):
        return None  # the next handler makes the file
