"""An e-mail backend for the real-worker tests: it hangs mid-send so the test can SIGKILL it.

``BLOCKING_MAIL_WHEN=before``: hangs before the message is written (the crash loses it);
``after``: writes it first (the server had accepted it), then hangs. Either way it touches
``$BLOCKING_MAIL_DIR/sending`` so the test knows the worker is inside the send.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        if os.environ.get("BLOCKING_MAIL_WHEN", "before") == "after":
            super().send_messages(email_messages)
        (Path(os.environ["BLOCKING_MAIL_DIR"]) / "sending").touch()
        while True:  # until the test kills this worker with SIGKILL
            time.sleep(0.2)
