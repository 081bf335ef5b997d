#!/usr/bin/env python3
"""Drives terminal apps in a private tmux server and times what a person
would see: start → first frame, Enter → entry saved and redrawn, and the
peak memory of the app while it is open. Used by benches/compare.sh.

Every wait polls `tmux capture-pane` (and, for saves, the files) as fast
as it can, so the resolution is one tmux client round trip (a few ms);
the harness floor (`floor-start`, `floor-key`) measures exactly that
overhead with `cat` in place of the app, so it can be subtracted or
compared. Results are appended to a JSON file: {name: {samples_ms: [...],
median_ms, ...}}.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

TIMEOUT = 30.0
COLS, ROWS = 200, 50
# Between two looks at the screen: each look runs a tmux client, and
# looking back to back would take a core from the app on a 2-core machine.
POLL = 0.001


class Tmux:
    def __init__(self, socket):
        self.base = ["tmux", "-L", socket, "-f", "/dev/null"]

    def run(self, *args, check=True):
        r = subprocess.run(self.base + list(args), capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {r.stderr.strip()}")
        return r

    def start_server(self):
        self.run("kill-server", check=False)
        self.run("new-session", "-d", "-s", "keep", "-x", str(COLS), "-y", str(ROWS), "sleep 1000000")

    def kill_server(self):
        self.run("kill-server", check=False)

    def new(self, name, command):
        self.run("new-session", "-d", "-s", name, "-x", str(COLS), "-y", str(ROWS), command)

    def screen(self, name):
        r = self.run("capture-pane", "-p", "-t", name, check=False)
        return r.stdout if r.returncode == 0 else ""

    def keys(self, name, *keys, literal=False):
        args = ["send-keys", "-t", name]
        if literal:
            args.append("-l")
        self.run(*args, *keys)

    def alive(self, name):
        return self.run("has-session", "-t", name, check=False).returncode == 0

    def pid(self, name):
        return int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").stdout.strip())

    def kill(self, name):
        self.run("kill-session", "-t", name, check=False)


def wait(probe, what, tmux=None, name=None):
    """Polls probe() until it is truthy; returns the time it became so."""
    deadline = time.perf_counter() + TIMEOUT
    while True:
        v = probe()
        now = time.perf_counter()
        if v:
            return now
        if now > deadline:
            seen = tmux.screen(name) if tmux and name else ""
            raise RuntimeError(f"timed out waiting for {what}; screen:\n{seen}")
        time.sleep(POLL)


def hwm_kb(pid):
    """Peak resident set (VmHWM) of pid, in kB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def quit_app(tmux, name, keys):
    for k in keys:
        tmux.keys(name, k)
    try:
        wait(lambda: not tmux.alive(name), f"{name} to quit")
    except RuntimeError:
        tmux.kill(name)


def summary(samples):
    s = sorted(samples)
    return {
        "samples_ms": [round(x, 3) for x in samples],
        "median_ms": round(statistics.median(s), 3),
        "min_ms": round(s[0], 3),
        "max_ms": round(s[-1], 3),
        "runs": len(s),
    }


def save(out, name, value):
    data = {}
    if os.path.exists(out):
        with open(out) as f:
            data = json.load(f)
    data[name] = value
    with open(out, "w") as f:
        json.dump(data, f, indent=1)
    shown = value.get("median_ms", value)
    print(f"  {name}: {shown}", file=sys.stderr)


def floor_start(tmux, args):
    """tmux new-session running `echo; cat` until the echo is on screen."""
    samples = []
    for i in range(args.runs):
        name = f"floor{i}"
        mark = f"HARNESS-READY-{i}"
        t0 = time.perf_counter()
        tmux.new(name, f"echo {mark}; exec cat")
        t1 = wait(lambda: mark in tmux.screen(name), mark, tmux, name)
        samples.append((t1 - t0) * 1000)
        tmux.kill(name)
    return summary(samples)


def floor_key(tmux, args):
    """send-keys into `cat` until the characters are on screen."""
    name = "floorkey"
    tmux.new(name, "exec cat")
    wait(lambda: tmux.alive(name), "cat")
    samples = []
    for i in range(args.runs):
        mark = f"k{i:03d}z"
        t0 = time.perf_counter()
        tmux.keys(name, mark, literal=True)
        t1 = wait(lambda: mark in tmux.screen(name), mark, tmux, name)
        samples.append((t1 - t0) * 1000)
        tmux.keys(name, "Enter")
    tmux.kill(name)
    return summary(samples)


def first_frame(tmux, args):
    """Start the app; time until every marker is on screen. The warm-up
    runs are not counted (they leave what a closed session leaves, such as
    rapporteur's first-screen record)."""
    samples, hwm = [], []
    for i in range(-args.warmup, args.runs):
        name = f"ff{i}"
        if args.prepare:
            subprocess.run(args.prepare, shell=True, check=True)
        t0 = time.perf_counter()
        tmux.new(name, "exec " + args.cmd)
        t1 = wait(lambda: all(m in tmux.screen(name) for m in args.marker), args.marker, tmux, name)
        if i >= 0:
            samples.append((t1 - t0) * 1000)
            try:
                hwm.append(hwm_kb(tmux.pid(name)))
            except (OSError, RuntimeError, ValueError):
                pass
        quit_app(tmux, name, args.quit)
    out = summary(samples)
    if hwm:
        out["peak_rss_kb_after_first_frame"] = max(hwm)
    return out


def read_all(paths):
    blobs = []
    for p in paths:
        try:
            with open(p, "rb") as f:
                blobs.append(f.read())
        except OSError:
            pass
    return blobs


def on_disk(watch_dir, mark):
    """mark is in a file of watch_dir (drafts, locks and first-screen
    records excepted: none of them keeps an entry)."""
    m = mark.encode()
    names = [
        os.path.join(watch_dir, n)
        for n in os.listdir(watch_dir)
        if not n.endswith((".draft", ".lock", ".tmp", ".screen"))
    ]
    # Small files (a journal) first: cheaper, and where appends go.
    names.sort(key=lambda p: os.path.getsize(p) if os.path.exists(p) else 0)
    return any(m in b for b in read_all(names))


def add(tmux, args):
    """Start the app, then time `runs` entries from Enter until the entry
    is on screen, the app says it is saved (rapporteur), and its text is
    in a file of watch_dir."""
    name = "add"
    tmux.new(name, "exec " + args.cmd)
    wait(lambda: all(m in tmux.screen(name) for m in args.marker), args.marker, tmux, name)
    pid = tmux.pid(name)
    hwm_open = hwm_kb(pid)
    samples, screen_ms, disk_ms = [], [], []
    for i in range(args.runs + args.warmup):
        mark = f"Bench{i:03d}q{os.getpid() % 1000:03d}"
        if args.app == "tjournal":
            tmux.keys(name, "n")
            wait(lambda: "Create journal" in tmux.screen(name), "the new-entry popup", tmux, name)
            tmux.keys(name, mark, literal=True)
            wait(lambda: mark in tmux.screen(name), "the typed title", tmux, name)

            def shown():
                s = tmux.screen(name)
                return "Create journal" not in s and f"> {mark}" in s

        else:
            tmux.keys(name, f"Benchmark entry {mark}", literal=True)
            wait(lambda: mark in tmux.screen(name), "the typed entry", tmux, name)

            def shown():
                s = tmux.screen(name)
                # In the entries (the editor is empty again) and saved.
                return mark in s and "Type what is said" in s and "✓ saved" in s

        t0 = time.perf_counter()
        tmux.keys(name, "Enter")
        t_screen = t_disk = None
        deadline = t0 + TIMEOUT
        while t_screen is None or t_disk is None:
            if t_screen is None and shown():
                t_screen = time.perf_counter()
            if t_disk is None and on_disk(args.watch_dir, mark):
                t_disk = time.perf_counter()
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{args.app}: entry {mark} not saved and shown:\n{tmux.screen(name)}")
            time.sleep(POLL)
        if i >= args.warmup:
            samples.append((max(t_screen, t_disk) - t0) * 1000)
            screen_ms.append((t_screen - t0) * 1000)
            disk_ms.append((t_disk - t0) * 1000)
    hwm_after = hwm_kb(pid)
    quit_app(tmux, name, args.quit)
    out = summary(samples)
    out["screen_median_ms"] = round(statistics.median(screen_ms), 3)
    out["disk_median_ms"] = round(statistics.median(disk_ms), 3)
    out["peak_rss_kb_open"] = hwm_open
    out["peak_rss_kb_after_adds"] = hwm_after
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--marker", action="append", default=[])
    p.add_argument("--quit", action="append", default=[])
    p.add_argument("--app", choices=["rapporteur", "tjournal"])
    p.add_argument("--watch-dir")
    p.add_argument("--cmd", help="the command line, run by tmux's shell")
    p.add_argument("--prepare", help="a shell command run before each first-frame sample, untimed")
    p.add_argument("what", choices=["floor-start", "floor-key", "first-frame", "add"])
    args = p.parse_args()
    tmux = Tmux(args.socket)
    tmux.start_server()
    try:
        fn = {"floor-start": floor_start, "floor-key": floor_key, "first-frame": first_frame, "add": add}
        save(args.out, args.name, fn[args.what](tmux, args))
    finally:
        tmux.kill_server()


if __name__ == "__main__":
    main()
