#!/usr/bin/env python3
# What Linux answers for calls on closed descriptors, on sockets that reached TCP CLOSE without
# close(), and for bind/connect to multicast, broadcast and other odd addresses. Run as root:
#   unshare -n python3 tests/data/kernel-checks/closed-and-odd-addresses.py > closed-and-odd-addresses.out
# The namespace has lo and a veth v0 with 10.1.1.1/24 (like a portlab host with one
# link: a connected /24 route, no default route).
import errno, os, socket, struct, subprocess, time

subprocess.run("ip link set lo up; ip link add v0 type veth peer name v1; ip addr add 10.1.1.1/24 dev v0;"
               " ip link set v0 up; ip link set v1 up", shell=True, check=True)

def res(f):
    try:
        r = f()
        return "ok" if r is None or isinstance(r, int) and r >= 0 else repr(r)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
          6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}

def state(s):
    return STATES[s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]]

def recv(s):
    try:
        d = s.recv(65536, socket.MSG_DONTWAIT)
        return "eof" if not d else "%d bytes" % len(d)
    except OSError as e:
        return errno.errorcode[e.errno]

def out(case, r):
    print("%-55s %s" % (case, r), flush=True)

T = socket.SOCK_STREAM
U = socket.SOCK_DGRAM

# --- closed descriptors ---------------------------------------------------------------------
for kind, name in ((T, "tcp"), (U, "udp")):
    s = socket.socket(socket.AF_INET, kind)
    fd = s.fileno()
    s.close()
    out(name + " closed: bind", res(lambda: socket.socket(fileno=os.dup(fd))))  # dup of a closed fd
    out(name + " closed: close", res(lambda: os.close(fd)))

# --- TCP: reset by the peer ----------------------------------------------------------------
def pair(port):
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", port)); l.listen()
    c = socket.socket(); c.connect(("127.0.0.1", port))
    a, _ = l.accept()
    return l, c, a

def linger0(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

l, c, a = pair(8000)
cport = c.getsockname()[1]
linger0(a); a.close(); time.sleep(0.05)
out("tcp reset: state", state(c))
out("tcp reset: port (getsockname)", c.getsockname()[1] == cport and "same" or c.getsockname()[1])
out("tcp reset: send", res(lambda: c.send(b"x")))
out("tcp reset: send again", res(lambda: c.send(b"x")))
out("tcp reset: recv", recv(c))
l2, c2, a2 = pair(8001)
linger0(a2); a2.close(); time.sleep(0.05)
out("tcp reset: recv first", recv(c2))
out("tcp reset: recv again", recv(c2))
out("tcp reset: send after recv", res(lambda: c2.send(b"x")))
out("tcp reset: bind 127.0.0.1:0", res(lambda: c2.bind(("127.0.0.1", 0))))
out("tcp reset: port after bind", "changed" if c2.getsockname()[1] != 0 else "0")
out("tcp reset: listen", res(lambda: c2.listen()))
out("tcp reset: state after listen", state(c2))
l3, c3, a3 = pair(8002)
linger0(a3); a3.close(); time.sleep(0.05)
out("tcp reset: listen (unbound after reset)", res(lambda: c3.listen()))
out("tcp reset: port after listen", "nonzero" if c3.getsockname()[1] else "0")
l4, c4, a4 = pair(8003)
linger0(a4); a4.close(); time.sleep(0.05)
out("tcp reset: connect again", res(lambda: c4.connect(("127.0.0.1", 8003))))
out("tcp reset: state after connect again", state(c4))
l5, c5, a5 = pair(8004)
linger0(a5); a5.close(); time.sleep(0.05)
out("tcp reset: port (getsockname) after reset", c5.getsockname()[1])
out("tcp reset: getsockname addr", c5.getsockname()[0])
out("tcp reset: shutdown", res(lambda: c5.shutdown(socket.SHUT_WR)))
out("tcp reset: close", res(lambda: c5.close()))

# --- TCP: bind-locked port, reset -----------------------------------------------------------
l6 = socket.socket(); l6.bind(("127.0.0.1", 8006)); l6.listen()
c6 = socket.socket(); c6.bind(("127.0.0.1", 9006)); c6.connect(("127.0.0.1", 8006))
a6, _ = l6.accept(); linger0(a6); a6.close(); time.sleep(0.05)
out("tcp reset (bound 9006): port", c6.getsockname()[1])
out("tcp reset (bound 9006): bind again", res(lambda: c6.bind(("127.0.0.1", 9007))))
out("tcp reset (bound 9006): listen", res(lambda: c6.listen()))
out("tcp reset (bound 9006): state", state(c6))

# --- TCP: refused connect (blocking) --------------------------------------------------------
c = socket.socket()
out("tcp refused: connect", res(lambda: c.connect(("127.0.0.1", 8100))))
out("tcp refused: state", state(c))
out("tcp refused: port", c.getsockname()[1])
out("tcp refused: connect again", res(lambda: c.connect(("127.0.0.1", 8100))))
out("tcp refused: send", res(lambda: c.send(b"x")))
out("tcp refused: recv", recv(c))
out("tcp refused: bind 127.0.0.1:9100", res(lambda: c.bind(("127.0.0.1", 9100))))
out("tcp refused: listen", res(lambda: c.listen()))
out("tcp refused: state after listen", state(c))
c = socket.socket()
c.connect_ex(("127.0.0.1", 8101))
out("tcp refused: listen (unbound)", res(lambda: c.listen()))
srv = socket.socket(); srv.bind(("127.0.0.1", 8102)); srv.listen()
c = socket.socket()
out("tcp refused then listening: connect", res(lambda: c.connect(("127.0.0.1", 8103))))
out("tcp refused then listening: connect elsewhere", res(lambda: c.connect(("127.0.0.1", 8102))))
out("tcp refused then listening: state", state(c))
# non-blocking connect refused, then connect again (the error still pending), then a third
c = socket.socket(); c.setblocking(False)
out("tcp refused nb: connect", res(lambda: c.connect(("127.0.0.1", 8100))))
time.sleep(0.05)
out("tcp refused nb: connect again", res(lambda: c.connect(("127.0.0.1", 8100))))
time.sleep(0.05)
out("tcp refused nb: connect third", res(lambda: c.connect(("127.0.0.1", 8100))))

# --- odd addresses --------------------------------------------------------------------------
ODD = ["224.0.0.1", "239.1.2.3", "255.255.255.255", "10.1.1.255", "0.0.0.0", "240.0.0.1",
       "127.0.0.1", "10.1.1.1", "10.1.1.0", "10.9.9.9"]
for a in ODD:
    for kind, name in ((T, "tcp"), (U, "udp")):
        s = socket.socket(socket.AF_INET, kind)
        out("%s bind %s:7000" % (name, a), res(lambda: s.bind((a, 7000))))
        if kind == T and a in ("224.0.0.1", "255.255.255.255", "10.1.1.255"):
            out("%s listen after bind %s" % (name, a), res(lambda: s.listen()))
        s.close()
    for kind, name in ((T, "tcp"), (U, "udp")):
        s = socket.socket(socket.AF_INET, kind); s.setblocking(False)
        out("%s connect %s:7001" % (name, a), res(lambda: s.connect((a, 7001))))
        if kind == U:
            out("%s send after connect %s" % (name, a), res(lambda: s.send(b"x")))
        s.close()
    s = socket.socket(socket.AF_INET, U)
    out("udp sendto %s:7001" % a, res(lambda: s.sendto(b"x", (a, 7001))))
    s.close()
s = socket.socket(socket.AF_INET, U); s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
out("udp SO_BROADCAST connect 255.255.255.255:7001", res(lambda: s.connect(("255.255.255.255", 7001))))
out("udp SO_BROADCAST connect 10.1.1.255:7001", res(lambda: s.connect(("10.1.1.255", 7001))))
# TCP connect to 0.0.0.0 reaches a local listener
srv = socket.socket(); srv.bind(("0.0.0.0", 7002)); srv.listen()
s = socket.socket()
out("tcp connect 0.0.0.0:7002 (listening)", res(lambda: s.connect(("0.0.0.0", 7002))))
out("tcp connect 0.0.0.0:7002 peer", s.getpeername()[0])
s = socket.socket()
out("tcp bound 224.0.0.1:7003 connect 127.0.0.1:7002", (s.bind(("224.0.0.1", 7003)), res(lambda: s.connect(("127.0.0.1", 7002))))[1])

# --- TCP: calls on a fresh socket and on a listener -----------------------------------------
s = socket.socket()
out("tcp fresh: send", res(lambda: s.send(b"x")))
out("tcp fresh: recv", recv(s))
out("tcp fresh: state", state(s))
out("tcp fresh: shutdown", res(lambda: s.shutdown(socket.SHUT_WR)))
s = socket.socket(); s.bind(("127.0.0.1", 7010)); s.listen()
out("tcp listener: send", res(lambda: s.send(b"x")))
out("tcp listener: recv", recv(s))
out("tcp listener: connect", res(lambda: s.connect(("127.0.0.1", 7010))))
# --- TCP: connect timed out (tcp_syn_retries=1, silent peer on the veth) --------------------
subprocess.run("ip neigh add 10.1.1.2 lladdr 02:00:00:00:00:02 dev v0", shell=True, check=True)
open("/proc/sys/net/ipv4/tcp_syn_retries", "w").write("1")
s = socket.socket()
out("tcp timed out: connect", res(lambda: s.connect(("10.1.1.2", 80))))
out("tcp timed out: state", state(s))
out("tcp timed out: send", res(lambda: s.send(b"x")))
out("tcp timed out: recv", recv(s))
out("tcp timed out: listen", res(lambda: s.listen()))
