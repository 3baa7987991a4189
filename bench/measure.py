"""Runs one command and prints its cost as JSON: wall seconds, CPU seconds and peak RSS of the
whole process tree (every descendant that was waited for), and the exit status."""

import json
import resource
import subprocess
import sys
import time

start = time.perf_counter()
status = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxRssMiB": usage.ru_maxrss / 1024, "status": status}))
