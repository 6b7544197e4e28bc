"""The real obcina server for the conformance tests: a free port, a fresh
data directory (demo data on), ready when it prints "obcina is ready at",
stopped after the test module. One helper instead of one copy per test file.
"""

import contextlib
import os
import socket
import subprocess
import tempfile

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(prefix, config=None):
    """Start `$OBCINA_BIN serve`; yields {"base", "log", "tmp"}. `config`:
    the text of an obcina.toml, written beside the data directory."""
    binary = os.environ.get("OBCINA_BIN", "target/debug/obcina")
    tmp = tempfile.mkdtemp(prefix=f"obcina-{prefix}-")
    port = free_port()
    log_path = os.path.join(tmp, "server.log")
    args = [binary, "serve", "--data-dir", os.path.join(tmp, "data"), "--listen", f"127.0.0.1:{port}", "--mqtt-listen", "off"]
    if config is not None:
        config_path = os.path.join(tmp, "obcina.toml")
        with open(config_path, "w") as f:
            f.write(config)
        args += ["--config", config_path]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True)
        # The server may print other lines before it is ready.
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("obcina is ready at"):
                break
        else:
            proc.kill()
            proc.wait()
            pytest.fail("obcina exited before it was ready; stdout: %r; log: %s" % (seen, open(log_path).read()))
        try:
            yield {"base": f"http://127.0.0.1:{port}", "log": log_path, "tmp": tmp}
        finally:
            proc.terminate()
            proc.wait(timeout=20)
