#!/usr/bin/python3
"""A private SMTP server for tests (Debian's python3-aiosmtpd): listens on 127.0.0.1:PORT and
records every accepted message as its own file in DIR (the raw message, as received; written
to a temporary name and renamed, so a reader never sees half a mail). Prints "ready" once it
accepts connections and runs until SIGTERM/SIGINT. Started again on the same port and directory,
it keeps numbering after the files already there, so a restart loses nothing.

With --starttls CERT KEY it offers STARTTLS and refuses mail without it; with --auth USER PASS
(needs --starttls) it requires AUTH with that user and password. Each file starts with
X-Sink-* lines: envelope sender and recipients, whether TLS was on, and the AUTH login.

usage: smtp_sink.py PORT DIR [--starttls CERT KEY] [--auth USER PASS]
"""
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Recorder:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()
        existing = [n for n in os.listdir(directory) if n.endswith('.eml')]
        self.count = len(existing)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = '%06d-%d.eml' % (self.count, os.getpid())
        tmp = os.path.join(self.directory, '.' + name + '.tmp')
        with open(tmp, 'wb') as out:
            login = ''
            if getattr(session, 'auth_data', None) is not None:
                login = session.auth_data.login.decode('utf-8', 'replace')
            out.write(('X-Sink-Mail-From: %s\r\nX-Sink-Rcpt-To: %s\r\nX-Sink-TLS: %s\r\n'
                       'X-Sink-Auth: %s\r\n' % (
                           envelope.mail_from, ','.join(envelope.rcpt_tos),
                           'yes' if session.ssl else 'no', login)).encode('ascii', 'replace'))
            out.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.directory, name))
        return '250 OK recorded'


def main():
    port = int(sys.argv[1])
    directory = sys.argv[2]
    args = sys.argv[3:]
    options = {}
    if '--starttls' in args:
        at = args.index('--starttls')
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args[at + 1], args[at + 2])
        options.update(tls_context=context, require_starttls=True)
    if '--auth' in args:
        at = args.index('--auth')
        user, password = args[at + 1].encode(), args[at + 2].encode()

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == user \
                and auth_data.password == password
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        options.update(auth_required=True, authenticator=authenticator)
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Recorder(directory), hostname='127.0.0.1', port=port,
                            server_hostname='127.0.0.1', **options)
    controller.start()
    print('ready', flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == '__main__':
    main()
