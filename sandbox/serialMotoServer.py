"""moto_server whose S3 conditional writes are atomic, as they are on S3.

moto compares If-Match / If-None-Match with the stored object and then writes it, without a lock,
while moto_server serves each connection on its own thread: two conditional PUTs that race can
both pass the check, and one update is lost. S3 makes a conditional write atomic, and the
publishing core's compare-and-swap relies on exactly that. This entry point runs the same moto
application behind one lock, so requests are handled one at a time (connections stay threaded,
keep-alive still works). Usage: python serialMotoServer.py -H 127.0.0.1 -p PORT
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def serialized(app):
    lock = threading.Lock()

    def handle(environ, start_response):
        with lock:
            # The whole body is produced inside the lock: a lazy iterable would escape it.
            return list(app(environ, start_response))

    return handle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        serialized(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
