#!/usr/bin/python3
"""A local SMTP sink for the notification tests and the demo (aiosmtpd, Debian's python3-aiosmtpd).

Listens on 127.0.0.1 only and keeps every message it accepts: one JSON line per message in --out
(flushed at once), and with --print a short view of it on stdout. Prints "listening on
127.0.0.1:PORT" once it accepts connections (--port 0: a port the OS chooses). SIGTERM or SIGINT
ends it cleanly.

  /usr/bin/python3 tests/notify/smtp_sink.py --port 0 --out mails.jsonl [--print]
      [--user U --password P]    AUTH LOGIN/PLAIN required, without TLS; wrong credentials: 535
      [--reject-rcpt ADDR]...    RCPT TO:<ADDR> answered 550 (a permanent failure)

Without --user, AUTH is offered and any credentials are accepted (the login is recorded), but not
required. Run it with Debian's /usr/bin/python3: that is the one python3-aiosmtpd installs into.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import signal
import sys
import warnings

from aiosmtpd.controller import UnthreadedController
from aiosmtpd.smtp import AuthResult, LoginPassword


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: the OS chooses (default)")
    parser.add_argument("--out", help="append one JSON line per received message")
    parser.add_argument("--print", action="store_true", dest="print_mails",
                        help="also show each message on stdout")
    parser.add_argument("--user", help="require AUTH with this login")
    parser.add_argument("--password", help="the password that goes with --user")
    parser.add_argument("--reject-rcpt", action="append", default=[], metavar="ADDR",
                        help="answer 550 to RCPT TO this address (repeatable)")
    args = parser.parse_args()
    if (args.user is None) != (args.password is None):
        parser.error("--user and --password go together")
    return args


def decoded(data):
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data


def header(message, name):
    value = message.get(name)
    return None if value is None else str(value)


def body_text(message, subtype):
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset: keep what can be read
        return decoded(part.get_payload(decode=True) or b"")


class Sink:
    def __init__(self, args):
        self.args = args
        self.reject = {address.lower() for address in args.reject_rcpt}

    # Any credentials when no --user was given; otherwise exactly --user/--password.
    def authenticator(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = decoded(auth_data.login), decoded(auth_data.password)
        if self.args.user is not None and (login, password) != (self.args.user, self.args.password):
            return AuthResult(success=False, handled=False)  # 535 5.7.8
        return AuthResult(success=True, auth_data=auth_data)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return f"550 5.1.1 <{address}>: recipient rejected by the test sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        auth = session.auth_data
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": header(message, "Subject"),
            "message_id": header(message, "Message-ID"),
            "from": header(message, "From"),
            "to": header(message, "To"),
            "date": header(message, "Date"),
            "content_type": message.get_content_type(),
            "text": body_text(message, "plain"),
            "html": body_text(message, "html"),
            "raw": decoded(raw),
            "auth_user": decoded(auth.login) if isinstance(auth, LoginPassword) else None,
        }
        if self.args.out:
            with open(self.args.out, "a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
        if self.args.print_mails:
            print(f"--- mail {record['message_id']} ---")
            for key in ("From", "To", "Subject"):
                print(f"{key}: {record[key.lower()]}")
            print(f"Envelope: {record['mail_from']} -> {', '.join(record['rcpt_tos'])}")
            print()
            print(record["text"] if record["text"] is not None else "(no text/plain part)")
            print("---", flush=True)
        return "250 2.0.0 Message accepted for delivery"


def main():
    args = parse_args()
    # aiosmtpd warns (warning and log line) that AUTH without TLS is unsafe: here that is the point.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    sink = Sink(args)
    loop = asyncio.new_event_loop()
    controller = UnthreadedController(
        sink, hostname="127.0.0.1", port=args.port, loop=loop,
        server_hostname="creditgate-test-sink",  # never socket.getfqdn(): no DNS wait
        authenticator=sink.authenticator,
        auth_required=args.user is not None,
        auth_require_tls=False)
    # The unthreaded controller: the threaded one connects to its own port to check it is up,
    # which cannot work with --port 0.
    controller.begin()
    port = controller.server.sockets[0].getsockname()[1]
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, loop.stop)
    print(f"listening on 127.0.0.1:{port}", flush=True)
    try:
        loop.run_forever()
    finally:
        controller.cancel_tasks(stop_loop=False)  # open sessions
        controller.end()  # close the listener (runs the loop until it is closed)
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
