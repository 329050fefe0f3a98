"""Run the web server and the Huey consumer as one command.

The consumer runs in a child process; Ctrl-C (or SIGTERM) stops both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def run_together(host: str, port: int, workers: int) -> None:
    from flask import current_app

    env = dict(os.environ)
    env.setdefault("ZP_INSTANCE_PATH", current_app.instance_path)
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "core.worker.huey", "-w", str(workers), "-k", "thread"],
        env=env,
    )
    try:
        print(f" * 征评 Zhengping: http://{host}:{port}  (job worker pid {consumer.pid}; Ctrl-C stops both)")
        from werkzeug.serving import run_simple

        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
    finally:
        if consumer.poll() is None:
            consumer.send_signal(signal.SIGINT)
            try:
                consumer.wait(timeout=10)
            except subprocess.TimeoutExpired:
                consumer.kill()
