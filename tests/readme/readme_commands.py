#!/usr/bin/env python3
# portlab: Linux port semantics for ns-3.
# SPDX-License-Identifier: GPL-2.0-only
"""The README's shell commands, as CTests run them.

Every command in README.md's fenced sh/bash blocks (continuation lines joined, comments
dropped) is either run, as written, by a Readme.Block.* CTest (one per block, its commands in
order in one shell, so `D=...` and `jobs.txt` carry over), or listed in not-run-in-ci.txt with
the reason it cannot run in CI.

  readme_commands.py README SKIPS blocks            block ids to register (CMake)
  readme_commands.py README SKIPS check ID...       fail, naming the command, when a command
                                                    is neither skipped nor in a registered
                                                    block, or a skip names no README command
  readme_commands.py README SKIPS run ID BUILD SRC WORK
                                                    run block ID's commands in WORK, a fresh
                                                    directory holding links build -> BUILD and
                                                    scenarios -> SRC/scenarios (the README's
                                                    commands run from the project root), with
                                                    BUILD/scratch (portlab) first on PATH and
                                                    /tmp/ rewritten to WORK/tmp/; each must exit
                                                    0 and print no DIFFERS / MISMATCH
"""

import os
import re
import shutil
import subprocess
import sys

SHELLS = ("sh", "bash", "shell")
DISHONEST = re.compile(r"DIFFERS|MISMATCH|differ from Linux|matches Linux: NO")


def blocks(readme):
    """[(id, [(line, command)])] for every fenced shell block with commands."""
    out = []
    lang = None
    cur = []
    pending = ""
    start = 0
    with open(readme, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        fence = re.match(r"^```(\S*)", line)
        if fence:
            if lang is None:
                lang = fence.group(1)
                cur = []
                start = n
            else:
                if lang in SHELLS and cur:
                    out.append((start, cur))
                lang = None
            continue
        if lang not in SHELLS:
            continue
        text = line.rstrip()
        if pending:
            text = pending + " " + text.strip()
            pending = ""
        if text.endswith("\\"):
            pending = text[:-1].rstrip()
            continue
        # A comment after the command: a space, then "#" and a space (or the end of the line).
        text = re.sub(r"\s+#(\s.*)?$", "", text).strip()
        if not text or text.startswith("#"):
            continue
        cur.append((n, text))
    result = []
    seen = {}
    for start, cmds in out:
        words = re.sub(r"[^A-Za-z0-9]+", "-", " ".join(cmds[0][1].split()[:3]))[:40].strip("-")
        seen[words] = seen.get(words, 0) + 1
        bid = words if seen[words] == 1 else "%s-%d" % (words, seen[words])
        result.append((bid, cmds))
    return result


def skips(path):
    """{command: reason} from not-run-in-ci.txt: a command line, then '  because: REASON'."""
    out = {}
    last = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("  because: "):
                if last is None:
                    sys.exit("%s: 'because:' before any command" % path)
                out[last] = line[len("  because: "):].strip()
                last = None
            else:
                if last is not None:
                    sys.exit("%s: '%s' has no '  because: REASON' line" % (path, last))
                last = line.strip()
    if last is not None:
        sys.exit("%s: '%s' has no '  because: REASON' line" % (path, last))
    return out


def main():
    readme, skipfile, mode = sys.argv[1:4]
    bl = blocks(readme)
    sk = skips(skipfile)
    if mode == "blocks":
        for bid, cmds in bl:
            if any(c not in sk for _, c in cmds):
                print(bid)
        return 0
    if mode == "check":
        registered = set(sys.argv[4:])
        bad = []
        every = set()
        for bid, cmds in bl:
            for n, c in cmds:
                every.add(c)
                if c in sk:
                    if not sk[c]:
                        bad.append("README.md:%d: '%s' is skipped without a reason" % (n, c))
                elif bid not in registered:
                    bad.append("README.md:%d: '%s' is neither run by a CTest (no Readme.Block.%s;"
                               " re-run cmake) nor listed in not-run-in-ci.txt with a reason"
                               % (n, c, bid))
        for c in sk:
            if c not in every:
                bad.append("not-run-in-ci.txt: '%s' is not a README command (any more)" % c)
        for b in bad:
            print(b)
        total = sum(len(c) for _, c in bl)
        print("%d README commands: %d run by Readme.Block.* CTests, %d not run in CI (%s)"
              % (total, total - sum(1 for _, cs in bl for _, c in cs if c in sk),
                 sum(1 for _, cs in bl for _, c in cs if c in sk), skipfile))
        return 1 if bad else 0
    if mode == "run":
        bid, build, src, work = sys.argv[4:8]
        cmds = dict(bl).get(bid)
        if cmds is None:
            print("no README block '%s' (re-run cmake)" % bid)
            return 1
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(os.path.join(work, "tmp"))
        os.symlink(build, os.path.join(work, "build"))
        os.symlink(os.path.join(src, "scenarios"), os.path.join(work, "scenarios"))
        script = ["cd '%s' || exit 1" % work]
        run = []
        for n, c in cmds:
            if c in sk:
                continue
            run.append((n, c))
            script.append("echo '@@README %d'" % len(run))
            script.append(c.replace("/tmp/", work + "/tmp/"))
            script.append("echo \"@@EXIT $?\"")
        env = dict(os.environ)
        env["PATH"] = os.path.join(build, "scratch") + os.pathsep + env.get("PATH", "")
        env.pop("PORTLAB_SCENARIOS", None)
        env.pop("PORTLAB_RECORDINGS", None)
        p = subprocess.run(["bash", "-c", "\n".join(script)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env)
        text = p.stdout.decode("utf-8", "replace")
        parts = re.split(r"^@@README (\d+)\n", text, flags=re.M)
        failed = 0
        seen = 0
        for i in range(1, len(parts), 2):
            k = int(parts[i])
            body = parts[i + 1]
            n, c = run[k - 1]
            seen = k
            m = re.search(r"^@@EXIT (\d+)$", body, flags=re.M)
            rc = int(m.group(1)) if m else -1
            bad = DISHONEST.search(body)
            if rc != 0 or bad:
                failed += 1
                tail = "\n".join(body.split("\n")[-15:])
                print("README.md:%d: '%s' %s\n%s" % (
                    n, c, "exited %d" % rc if rc != 0 else "printed '%s'" % bad.group(0), tail))
            else:
                print("README.md:%d: ok: %s" % (n, c))
        if seen != len(run):
            print("README block %s: the shell stopped after %d of %d commands (exit %d)"
                  % (bid, seen, len(run), p.returncode))
            failed += 1
        return 1 if failed else 0
    sys.exit("mode: blocks, check or run")


if __name__ == "__main__":
    sys.exit(main())
