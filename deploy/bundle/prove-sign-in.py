"""The bundle proofs' sign-in (prove-offline.sh, prove-systemd.sh): wait for /healthz, then sign in
through the real login form as an administrator install.sh created. Run with the installed
environment's Python: prove-sign-in.py BASE USERNAME PASSWORD [LOG-COMMAND…]; on failure the
output of LOG-COMMAND (the server's log) is shown."""

import subprocess
import sys
import time
import urllib.request

from taizhang.loadclient import HttpSession

base, username, password = sys.argv[1:4]
log_command = sys.argv[4:] or ["true"]


def server_log() -> str:
    done = subprocess.run(log_command, capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr)[-3000:]


for _ in range(300):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as r:  # noqa: S310 (loopback http)
            assert r.status == 200, r.status
            break
    except OSError:
        time.sleep(0.1)
else:
    raise SystemExit("FAIL: /healthz never answered:\n" + server_log())
s = HttpSession(base)
s.request("/login/")
status, text, _ = s.request("/login/", {"username": username, "password": password})
# a created administrator signs in and is sent to change the initial password
if not (status == 200 and "修改密码" in text and "退出" in text):
    raise SystemExit(f"FAIL: {username} did not sign in ({status}): {text[:500]}\n" + server_log())
print(f"healthz 200; {username} signed in through the login form")
