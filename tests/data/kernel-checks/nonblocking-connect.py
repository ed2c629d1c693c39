# Linux 6.18: what a non-blocking connect() leaves after a refusal, before and after a
# connect() call collects it (run as root: unshare -n python3 nonblocking-connect.py).
import socket, errno, time, subprocess
subprocess.run(["ip","link","set","lo","up"])
def en(e): return errno.errorcode.get(e, str(e))
def t(f,*a):
    try: r=f(*a); return "ok" if r is None else r
    except OSError as e: return en(e.errno)
l=socket.socket(); l.bind(("127.0.0.1",80)); l.listen()
c=socket.socket(); c.setblocking(False)
print("connect 81", t(c.connect, ("127.0.0.1",81))); time.sleep(0.05)
print("SO_ERROR", en(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)), en(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)))
print("send", t(c.send, b"x"), "recv", t(c.recv, 10))
print("connect 80", t(c.connect, ("127.0.0.1",80)))
print("connect 80 again", t(c.connect, ("127.0.0.1",80))); time.sleep(0.05)
print("connect 80 third", t(c.connect, ("127.0.0.1",80)))
r=socket.socket(); r.setblocking(False); print("r connect 81", t(r.connect, ("127.0.0.1",81))); time.sleep(0.05)
print("r listen", t(r.listen))
print("r connect", t(r.connect, ("127.0.0.1",81)), "r listen", t(r.listen))
