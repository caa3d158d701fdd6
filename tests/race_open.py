"""Run by test_e2e_rounds: one of two processes racing to open the same round (waits for a start signal)."""

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from scheduler import rounds
from storage.db import make_engine

url, team, at, go_file = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3]), Path(sys.argv[4])
engine = make_engine(url)
engine.connect().close()  # connect before the start signal, so both start the race together
(go_file.parent / f"ready-{os.getpid()}").touch()  # says so, rather than the test guessing how long it takes
while not go_file.exists():
    time.sleep(0.005)
print(json.dumps(rounds.run_due(engine, team, at)))
