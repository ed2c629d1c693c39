#!/usr/bin/env python3
# When a blocking connect() to a peer that drops every SYN gives up, and when each SYN left, for
# every pair of net.ipv4.tcp_syn_retries x net.ipv4.tcp_syn_linear_timeouts below. Each pair runs
# at once in its own network namespace (both sysctls are per namespace), so the whole recording
# takes as long as the slowest pair (about 140 s). Run as root:
#   python3 tests/data/kernel-checks/syn-linear-timeouts.py > tests/data/kernel-checks/syn-linear-timeouts.jsonl
# One JSON object a line: {"tcp_syn_retries": R, "tcp_syn_linear_timeouts": L, "result": errno
# name, "gave_up_ms": ms from the first SYN to connect()'s return, "syn_ms": [ms of each SYN]}.
# SYN times are taken by a packet socket on the far end of a veth whose peer address has a
# static neighbour entry and no host behind it, so every SYN leaves and none is answered.
import errno, json, socket, subprocess, sys, threading, time

RETRIES = [1, 2, 3, 4, 5, 6]
LINEAR = [0, 2, 4, 8]


def one(retries, linear):
    subprocess.run("ip link set lo up; ip link add v0 type veth peer name v1;"
                   " ip addr add 10.1.1.1/24 dev v0; ip link set v0 up; ip link set v1 up;"
                   " ip neigh add 10.1.1.2 lladdr 02:00:00:00:00:02 dev v0",
                   shell=True, check=True)
    for name, value in (("tcp_syn_retries", retries), ("tcp_syn_linear_timeouts", linear)):
        with open("/proc/sys/net/ipv4/" + name, "w") as f:
            f.write(str(value))
    stop, times, t0 = threading.Event(), [], [None]

    def syn_times():
        p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        p.bind(("v1", 0))
        p.settimeout(0.1)
        while not stop.is_set():
            try:
                f = p.recv(2048)
            except socket.timeout:
                continue
            if f[14 + 9] == 6 and f[14 + 20 + 13] & 0x02:  # TCP SYN (IHL 5)
                times.append(time.monotonic())

    th = threading.Thread(target=syn_times)
    th.start()
    time.sleep(0.3)
    s = socket.socket()
    start = time.monotonic()
    try:
        s.connect(("10.1.1.2", 80))
        r = "ok"
    except OSError as e:
        r = errno.errorcode[e.errno]
    end = time.monotonic()
    stop.set()
    th.join()
    first = times[0] if times else start
    print(json.dumps({"tcp_syn_retries": retries, "tcp_syn_linear_timeouts": linear,
                      "result": r, "gave_up_ms": round((end - first) * 1000),
                      "syn_ms": [round((t - first) * 1000) for t in times]}), flush=True)


if len(sys.argv) == 4 and sys.argv[1] == "--one":
    one(int(sys.argv[2]), int(sys.argv[3]))
    sys.exit(0)

hz = subprocess.run("zcat /proc/config.gz 2>/dev/null | sed -n 's/^CONFIG_HZ=//p'", shell=True,
                    capture_output=True, text=True).stdout.strip()
print(json.dumps({"kernel": subprocess.run(["uname", "-r"], capture_output=True, text=True)
                  .stdout.strip(), "config_hz": int(hz) if hz else None}))
runs = [(r, l, subprocess.Popen(["unshare", "-n", sys.executable, __file__, "--one", str(r), str(l)],
                                stdout=subprocess.PIPE, text=True))
        for r in RETRIES for l in LINEAR]
for r, l, p in runs:
    out, _ = p.communicate()
    if p.returncode != 0:
        sys.exit("pair tcp_syn_retries=%d tcp_syn_linear_timeouts=%d failed" % (r, l))
    sys.stdout.write(out)
