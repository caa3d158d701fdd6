"""How long the playground takes to show a round's intros: `python -m benchmarks.bench_playground [--people 200]`.

Starts `unmentor playground --people N --fresh` in a temporary folder, lets everyone join, presses
Next phase to the heads-up and to the opening, and times from the opening's click until every
group's intro is in the Slack stand-in (what the page shows). Target: 200 people's 100 intros in 30 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.browser import PlaygroundProcess

TARGET_SECONDS = 30


def intros(playground) -> int:
    calls = playground.state()["calls"]["total"]
    posts = 0
    after = 0
    while after < calls:
        import json
        import urllib.request

        with urllib.request.urlopen(f"{playground.url}api/calls?after={after}", timeout=30) as response:
            page = json.load(response)["calls"]
        if not page:
            break
        posts += sum(
            1
            for c in page
            if c["method"] == "chat.postMessage"
            and str(c["args"].get("channel", "")).startswith("G")
            and not c["error"]
        )
        after += len(page)
    return posts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        playground = PlaygroundProcess(Path(folder), "--people", str(args.people))
        try:
            started = time.monotonic()
            joined = playground.post("everyone-joins", {})["joined"]
            print(f"{joined} people joined in {time.monotonic() - started:.1f} s")
            playground.post("next-phase", {})  # the heads-up
            clicked = time.monotonic()
            print("opening:", playground.post("next-phase", {}))
            groups = args.people // 2
            while intros(playground) < groups and time.monotonic() - clicked < 600:
                time.sleep(1)
            took = time.monotonic() - clicked
            print(f"{intros(playground)} of {groups} intros shown {took:.1f} s after Next phase opened the round "
                  f"(target {TARGET_SECONDS} s: {'met' if took <= TARGET_SECONDS else 'missed'})")
        finally:
            playground.interrupt()


if __name__ == "__main__":
    main()
