"""A real SMTP server for the tests (aiosmtpd): every message it accepts is written, decoded, as
one JSON file in a folder: envelope sender and recipients, the From/To/Subject headers, the text
part and each attachment (name, type, text), the login the client authenticated with, whether the session was under TLS,
and the name the client gave in EHLO.
Usage: smtp_sink.py PORT FOLDER [--tls starttls|tls CERT KEY] [--auth USER PASSWORD] [--delay S]:
with --delay, each message is answered S seconds after it arrived (a slow relay); with --tls,
STARTTLS is required before MAIL (starttls) or TLS starts with the first byte (tls); with --auth,
AUTH (PLAIN or LOGIN, over TLS only; --auth after --tls) is required. Prints "ready" once it listens; runs until
killed."""

import asyncio
import json
import os
import ssl
import sys
import threading
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, folder, delay=0.0):
        self.folder = folder
        self.delay = delay
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        body = msg.get_body(preferencelist=("plain",))
        out = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "login": session.auth_data.login.decode() if session.auth_data else None,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "ehlo": session.host_name,
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
    args = sys.argv[3:]
    kwargs = {}
    delay = 0.0
    while args:
        if args[0] == "--tls":
            mode, cert, key = args[1:4]
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(cert, key)
            if mode == "tls":
                kwargs["ssl_context"] = ctx
            else:
                kwargs["tls_context"] = ctx
                kwargs["require_starttls"] = True
            args = args[4:]
        elif args[0] == "--auth":
            user, password = args[1].encode(), args[2].encode()

            def check(server, session, envelope, mechanism, data):
                ok = data.login == user and data.password == password
                return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

            kwargs["authenticator"] = check
            kwargs["auth_required"] = True
            # aiosmtpd counts only STARTTLS as TLS for this check; under implicit TLS every
            # byte is encrypted anyway.
            kwargs["auth_require_tls"] = "ssl_context" not in kwargs
            args = args[3:]
        elif args[0] == "--delay":
            delay = float(args[1])
            args = args[2:]
        else:
            sys.exit("unknown argument: " + args[0])
    controller = Controller(Sink(folder, delay), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
