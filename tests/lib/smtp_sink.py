#!/usr/bin/python3
"""A private SMTP server for tests (Debian's python3-aiosmtpd): listens on 127.0.0.1:PORT and
records every accepted message as its own file in DIR (the raw message, as received; written
to a temporary name and renamed, so a reader never sees half a mail). Prints "ready" once it
accepts connections and runs until SIGTERM/SIGINT. Started again on the same port and directory,
it keeps numbering after the files already there, so a restart loses nothing.

usage: smtp_sink.py PORT DIR
"""
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


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
            out.write(('X-Sink-Mail-From: %s\r\nX-Sink-Rcpt-To: %s\r\n' % (
                envelope.mail_from, ','.join(envelope.rcpt_tos))).encode('ascii', 'replace'))
            out.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.directory, name))
        return '250 OK recorded'


def main():
    port = int(sys.argv[1])
    directory = sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Recorder(directory), hostname='127.0.0.1', port=port)
    controller.start()
    print('ready', flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == '__main__':
    main()
