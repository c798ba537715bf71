"""An upload handler that refuses a file past a size limit while the request is being read."""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

FORM_OVERHEAD = 64 * 1024  # the form's other fields and the multipart boundaries


class UploadLimit(FileUploadHandler):
    """First in the request's handlers: a body declared larger than the limit has its files
    skipped unread, and a file that grows past the limit is dropped at that chunk, before the
    handlers that store it on disk see more of it. `exceeded` tells the view why the file is
    missing."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.max_bytes + FORM_OVERHEAD:
            self.exceeded = True

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.exceeded:
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
