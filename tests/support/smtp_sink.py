"""A real SMTP server for the tests (aiosmtpd): every message it accepts is written, decoded, as
one JSON file in a folder: envelope sender and recipients, the From/To/Subject headers, the text
part and each attachment (name, type, text). Usage: smtp_sink.py PORT FOLDER. Prints "ready" once
it listens; runs until killed."""

import json
import os
import sys
import threading
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        body = msg.get_body(preferencelist=("plain",))
        out = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "text": body.get_content() if body is not None else "",
            "attachments": [
                {"filename": a.get_filename(), "content_type": a.get_content_type(),
                 "content": a.get_content() if isinstance(a.get_content(), str) else a.get_content().decode("utf-8")}
                for a in msg.iter_attachments()
            ],
        }
        with self.lock:
            self.n += 1
            name = os.path.join(self.folder, "%d-%06d.json" % (os.getpid(), self.n))
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False)
        os.rename(name + ".tmp", name)
        return "250 OK"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
