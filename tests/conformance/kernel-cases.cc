/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "kernel-cases.h"

#include "golden-case-names.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <net/if.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace portlab
{

namespace
{

// --- the probe's constants ------------------------------------------------------------------

/// The probe's server port ("port 8888 unless stated").
constexpr uint16_t SERVER_PORT = 8888;
/// client_port_reuse's third destination port.
constexpr uint16_t OTHER_SERVER_PORT = 9999;
/// refused_tcp_and_udp's port, where nothing listens.
constexpr uint16_t CLOSED_PORT = 7777;
/// udp_reuse_delivery's receiving port.
constexpr uint16_t UDP_PORT = 9000;
/// Port 0: let the kernel choose (bind(0)).
constexpr uint16_t ANY_PORT = 0;
/// First port of the narrow ip_local_port_range the client cases set.
constexpr int NARROW_RANGE_FIRST = 40000;

/// The wildcard address.
const char* const ANY_ADDR = "0.0.0.0";
/// The loopback address.
const char* const LOOPBACK = "127.0.0.1";
/// A second local address (127.0.0.0/8 is on "lo").
const char* const LOOPBACK_2 = "127.0.0.2";

/// Python's listen() with no argument uses min(SOMAXCONN, 128).
constexpr int DEFAULT_BACKLOG = 128;
/// The probe's listen(1024).
constexpr int LARGE_BACKLOG = 1024;
/// max_tw_buckets's listen(64).
constexpr int MAX_TW_BACKLOG = 64;
/// The probe's recv(10).
constexpr size_t RECV_SIZE = 10;

/// The probe's time.sleep(0.05): lets packets on "lo" settle.
constexpr std::chrono::milliseconds SETTLE_DELAY{50};
/// The probe's time.sleep(0.002) between the client's and the server's close.
constexpr std::chrono::milliseconds CLOSE_GAP{2};
/// tw_exhaust's wait_s for the one-destination cases (tcp_tw_reuse needs a TIME_WAIT > 1 s).
constexpr double TW_REUSE_WAIT_S = 1.5;
/// tw_exhaust_two_dest's wait_s: no wait, no connect after it.
constexpr double NO_WAIT_S = 0.0;
/// tw_exhaust's size of the port range.
constexpr int TW_EXHAUST_PORTS = 10;
/// tw_exhaust's extra connects beyond the range's capacity.
constexpr int TW_EXHAUST_EXTRA = 3;
/// max_tw_buckets's net.ipv4.tcp_max_tw_buckets.
constexpr int MAX_TW_BUCKETS = 5;
/// max_tw_buckets's number of actively closed connections.
constexpr int MAX_TW_CONNECTIONS = 12;
/// udp_reuse_delivery's number of receiving sockets.
constexpr int UDP_RECEIVERS = 3;
/// udp_reuse_delivery's datagrams per mode.
constexpr int UDP_DATAGRAMS = 60;
/// tcp_reuseport_balance's listeners.
constexpr int REUSEPORT_LISTENERS = 4;
/// tcp_reuseport_balance's connections.
constexpr int REUSEPORT_CONNECTIONS = 400;
/// ephemeral_parity's sockets of each kind.
constexpr int PARITY_SAMPLES = 50;

/// How long RecordKernelCase() waits for a case (the probe's subprocess timeout).
constexpr std::chrono::seconds CASE_TIMEOUT{120};
/// How long KernelRecordingPermitted() waits for its test child.
constexpr std::chrono::seconds PERMISSION_TIMEOUT{10};
/// Poll interval while waiting for a child that closed its pipe to exit.
constexpr std::chrono::milliseconds REAP_INTERVAL{5};
/// Exit code of a child whose body failed (its message is in the pipe).
constexpr int CHILD_FAILED = 1;
/// Exit code of a child that could not even report.
constexpr int CHILD_BROKEN = 2;

/// A TCP state number in /proc/net/tcp and its name as `ss -tan` prints it.
struct SsState
{
    int number;       //!< hex state column value
    const char* name; //!< ss's name
};

/// ss's state names (iproute2 misc/ss.c sstate_name), by Linux TCP state number.
const SsState SS_STATES[] = {
    {0x01, "ESTAB"},
    {0x02, "SYN-SENT"},
    {0x03, "SYN-RECV"},
    {0x04, "FIN-WAIT-1"},
    {0x05, "FIN-WAIT-2"},
    {0x06, "TIME-WAIT"},
    {0x07, "UNCONN"},
    {0x08, "CLOSE-WAIT"},
    {0x09, "LAST-ACK"},
    {0x0A, "LISTEN"},
    {0x0B, "CLOSING"},
};

/// An errno value and its symbolic name.
struct ErrnoEntry
{
    int value;        //!< errno value
    const char* name; //!< symbolic name
};

/// Errno names (as Python's errno.errorcode gives them, EOPNOTSUPP for 95 as the model does).
const ErrnoEntry ERRNO_TABLE[] = {
    {EPERM, "EPERM"},
    {ENOENT, "ENOENT"},
    {EINTR, "EINTR"},
    {EBADF, "EBADF"},
    {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},
    {EINVAL, "EINVAL"},
    {ENFILE, "ENFILE"},
    {EMFILE, "EMFILE"},
    {ENOSPC, "ENOSPC"},
    {EPIPE, "EPIPE"},
    {ENOTSOCK, "ENOTSOCK"},
    {EDESTADDRREQ, "EDESTADDRREQ"},
    {EMSGSIZE, "EMSGSIZE"},
    {EPROTOTYPE, "EPROTOTYPE"},
    {ENOPROTOOPT, "ENOPROTOOPT"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
    {EOPNOTSUPP, "EOPNOTSUPP"},
    {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ENETDOWN, "ENETDOWN"},
    {ENETUNREACH, "ENETUNREACH"},
    {ECONNABORTED, "ECONNABORTED"},
    {ECONNRESET, "ECONNRESET"},
    {ENOBUFS, "ENOBUFS"},
    {EISCONN, "EISCONN"},
    {ENOTCONN, "ENOTCONN"},
    {ETIMEDOUT, "ETIMEDOUT"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {EHOSTUNREACH, "EHOSTUNREACH"},
    {EALREADY, "EALREADY"},
    {EINPROGRESS, "EINPROGRESS"},
};

// --- small helpers --------------------------------------------------------------------------

/**
 * \param e an errno value
 * \return its name, or the number as text (Python: errorcode.get(e, str(e)))
 */
std::string
ErrnoText(int e)
{
    for (const auto& entry : ERRNO_TABLE)
    {
        if (entry.value == e)
        {
            return entry.name;
        }
    }
    return std::to_string(e);
}

/**
 * \param rc a system call's return value
 * \return 0 if it succeeded, else errno
 */
int
ErrnoOf(long rc)
{
    return rc < 0 ? errno : 0;
}

/**
 * \param e 0 for success or an errno value
 * \return "ok" or the errno's name (the probe's err())
 */
std::string
Outcome(int e)
{
    return e == 0 ? std::string("ok") : ErrnoText(e);
}

/**
 * \brief Throw if a setup step that the probe does not guard failed (Python would raise).
 * \param e 0 or an errno value
 * \param what the step
 */
void
Require(int e, const std::string& what)
{
    if (e != 0)
    {
        throw std::runtime_error(what + " failed: " + ErrnoText(e) + " (" + std::strerror(e) + ")");
    }
}

/**
 * \param d a number
 * \return its text as Python's str(float) writes it (shortest round trip, ".0" if integral)
 */
std::string
PythonFloatText(double d)
{
    const int maxDigits = 17;
    char buf[64];
    for (int digits = 1; digits <= maxDigits; ++digits)
    {
        std::snprintf(buf, sizeof(buf), "%.*g", digits, d);
        if (std::strtod(buf, nullptr) == d)
        {
            break;
        }
    }
    std::string text(buf);
    if (text.find_first_of(".en") == std::string::npos)
    {
        text += ".0";
    }
    return text;
}

/// \param delay how long to sleep (the probe's time.sleep)
void
Sleep(std::chrono::nanoseconds delay)
{
    std::this_thread::sleep_for(delay);
}

/**
 * \brief Write a sysctl as the probe's sysctl() does (no trailing newline).
 * \param name dotted name, e.g. "net.ipv4.tcp_tw_reuse"
 * \param value the text to write
 */
void
WriteSysctl(const std::string& name, const std::string& value)
{
    std::string path = "/proc/sys/" + name;
    for (size_t i = std::string("/proc/sys/").size(); i < path.size(); ++i)
    {
        if (path[i] == '.')
        {
            path[i] = '/';
        }
    }
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
    {
        Require(errno, "open " + path);
    }
    ssize_t n = write(fd, value.data(), value.size());
    int e = ErrnoOf(n);
    close(fd);
    Require(e, "write '" + value + "' to " + path);
    if (static_cast<size_t>(n) != value.size())
    {
        throw std::runtime_error("short write to " + path);
    }
}

/// \param path a file \return its whole text \throws std::runtime_error if unreadable
std::string
ReadFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
    {
        throw std::runtime_error("cannot read " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// \param text some text \return its whitespace-separated words (Python's str.split())
std::vector<std::string>
SplitWords(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> words;
    std::string word;
    while (in >> word)
    {
        words.push_back(word);
    }
    return words;
}

/**
 * \brief Count TCP sockets per state as `ss -tanH` lists them (the probe's ss_states()), from
 * /proc/net/tcp and /proc/net/tcp6 of this network namespace.
 * \return an object state name -> count, keys in the order states are first met
 */
Json
SsStates()
{
    std::vector<std::pair<std::string, int>> counts;
    const char* const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (const char* file : files)
    {
        std::ifstream in(file);
        if (!in)
        {
            if (std::string(file) == "/proc/net/tcp")
            {
                throw std::runtime_error(std::string("cannot read ") + file);
            }
            continue; // no IPv6: ss shows no tcp6 sockets either
        }
        std::string line;
        std::getline(in, line); // header
        while (std::getline(in, line))
        {
            std::vector<std::string> fields = SplitWords(line);
            if (fields.size() < 4)
            {
                continue;
            }
            int state = static_cast<int>(std::strtol(fields[3].c_str(), nullptr, 16));
            std::string name = "UNKNOWN";
            for (const auto& s : SS_STATES)
            {
                if (s.number == state)
                {
                    name = s.name;
                }
            }
            bool found = false;
            for (auto& count : counts)
            {
                if (count.first == name)
                {
                    ++count.second;
                    found = true;
                }
            }
            if (!found)
            {
                counts.emplace_back(name, 1);
            }
        }
    }
    Json states = Json::object();
    for (const auto& count : counts)
    {
        states[count.first] = count.second;
    }
    return states;
}

// --- sockets --------------------------------------------------------------------------------

/// SO_REUSEADDR / SO_REUSEPORT choice for a new socket (the probe's tcp()/udp() arguments).
struct Reuse
{
    bool addr{false}; //!< SO_REUSEADDR
    bool port{false}; //!< SO_REUSEPORT
};

/**
 * \brief A socket descriptor closed when the object goes away, as a Python socket object is
 * closed when its last reference goes.
 */
class Socket
{
  public:
    Socket() = default;

    /// \param fd an open descriptor, now owned
    explicit Socket(int fd)
        : m_fd(fd)
    {
    }

    ~Socket()
    {
        Close();
    }

    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    /// \param other moved from
    Socket(Socket&& other) noexcept
        : m_fd(other.m_fd)
    {
        other.m_fd = -1;
    }

    /// \param other moved from \return *this
    Socket& operator=(Socket&& other) noexcept
    {
        if (this != &other)
        {
            Close();
            m_fd = other.m_fd;
            other.m_fd = -1;
        }
        return *this;
    }

    /// \return the descriptor
    int Fd() const
    {
        return m_fd;
    }

    /// \brief Close now (socket.close()); later calls do nothing.
    void Close()
    {
        if (m_fd >= 0)
        {
            close(m_fd);
            m_fd = -1;
        }
    }

  private:
    int m_fd{-1}; //!< the descriptor, -1 once closed
};

/**
 * \param ip dotted quad
 * \param port a port
 * \return the IPv4 socket address
 */
sockaddr_in
MakeAddress(const char* ip, uint16_t port)
{
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
    {
        throw std::runtime_error(std::string("bad IPv4 address ") + ip);
    }
    return sa;
}

/// \param ip an address \param port a port \return "ip:port"
std::string
Endpoint(const char* ip, uint16_t port)
{
    return std::string(ip) + ":" + std::to_string(port);
}

/**
 * \param type SOCK_STREAM or SOCK_DGRAM
 * \param reuse options to set
 * \return a new IPv4 socket (Python's socket.socket plus setsockopt)
 */
Socket
NewSocket(int type, Reuse reuse)
{
    Socket s(socket(AF_INET, type | SOCK_CLOEXEC, 0));
    if (s.Fd() < 0)
    {
        Require(errno, "socket");
    }
    const int one = 1;
    if (reuse.addr)
    {
        Require(ErrnoOf(setsockopt(s.Fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))),
                "setsockopt SO_REUSEADDR");
    }
    if (reuse.port)
    {
        Require(ErrnoOf(setsockopt(s.Fd(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))),
                "setsockopt SO_REUSEPORT");
    }
    return s;
}

/// \param reuse options \return a TCP socket (the probe's tcp())
Socket
Tcp(Reuse reuse = {})
{
    return NewSocket(SOCK_STREAM, reuse);
}

/// \param reuse options \return a UDP socket (the probe's udp())
Socket
Udp(Reuse reuse = {})
{
    return NewSocket(SOCK_DGRAM, reuse);
}

/// \param s a socket \param ip address \param port port \return 0 or errno
int
Bind(const Socket& s, const char* ip, uint16_t port)
{
    sockaddr_in sa = MakeAddress(ip, port);
    return ErrnoOf(bind(s.Fd(), reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)));
}

/// \param s a socket \param backlog the backlog \return 0 or errno
int
Listen(const Socket& s, int backlog)
{
    return ErrnoOf(listen(s.Fd(), backlog));
}

/**
 * \brief A blocking connect() as Python's socket.connect does it (PEP 475: after EINTR,
 * wait until writable and take SO_ERROR).
 * \param s a socket \param ip address \param port port \return 0 or errno
 */
int
Connect(const Socket& s, const char* ip, uint16_t port)
{
    sockaddr_in sa = MakeAddress(ip, port);
    if (connect(s.Fd(), reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) == 0)
    {
        return 0;
    }
    if (errno != EINTR)
    {
        return errno;
    }
    pollfd pfd{s.Fd(), POLLOUT, 0};
    while (poll(&pfd, 1, -1) < 0)
    {
        if (errno != EINTR)
        {
            return errno;
        }
    }
    int soError = 0;
    socklen_t len = sizeof(soError);
    if (getsockopt(s.Fd(), SOL_SOCKET, SO_ERROR, &soError, &len) != 0)
    {
        return errno;
    }
    return soError;
}

/**
 * \brief accept(), retried on EINTR; the accepted socket is owned by \p out.
 * \param listener a listening socket \param out receives the new socket \return 0 or errno
 */
int
Accept(const Socket& listener, Socket& out)
{
    for (;;)
    {
        int fd = accept4(listener.Fd(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0)
        {
            out = Socket(fd);
            return 0;
        }
        if (errno != EINTR)
        {
            return errno;
        }
    }
}

/// \param listener a blocking listening socket \return the accepted socket (ls.accept())
Socket
AcceptOne(const Socket& listener)
{
    Socket a;
    Require(Accept(listener, a), "accept");
    return a;
}

/**
 * \brief recv(), retried on EINTR (PEP 475).
 * \param s a socket \param received set to the byte count on success \return 0 or errno
 */
int
Recv(const Socket& s, ssize_t& received)
{
    char buf[RECV_SIZE];
    for (;;)
    {
        received = recv(s.Fd(), buf, sizeof(buf), 0);
        if (received >= 0)
        {
            return 0;
        }
        if (errno != EINTR)
        {
            return errno;
        }
    }
}

/// \param s a socket \return its local port (getsockname()[1])
uint16_t
LocalPort(const Socket& s)
{
    sockaddr_in sa{};
    socklen_t len = sizeof(sa);
    Require(ErrnoOf(getsockname(s.Fd(), reinterpret_cast<sockaddr*>(&sa), &len)), "getsockname");
    return ntohs(sa.sin_port);
}

/// \param s a socket to make non-blocking (setblocking(False))
void
SetNonBlocking(const Socket& s)
{
    int flags = fcntl(s.Fd(), F_GETFL);
    Require(ErrnoOf(flags), "fcntl F_GETFL");
    Require(ErrnoOf(fcntl(s.Fd(), F_SETFL, flags | O_NONBLOCK)), "fcntl F_SETFL");
}

/// \param s a socket \param ip address \param port port, which must succeed (Python raises)
void
MustBind(const Socket& s, const char* ip, uint16_t port)
{
    Require(Bind(s, ip, port), "bind " + Endpoint(ip, port));
}

/// \param s a socket \param backlog the backlog, which must succeed (Python raises)
void
MustListen(const Socket& s, int backlog)
{
    Require(Listen(s, backlog), "listen");
}

/// \param ip address \param port port \return a connected TCP socket (socket.create_connection)
Socket
CreateConnection(const char* ip, uint16_t port)
{
    Socket c = Tcp();
    Require(Connect(c, ip, port), "connect " + Endpoint(ip, port));
    return c;
}

/// \param s a non-blocking listener \return the number of connections accepted (and closed)
int
DrainAccepts(const Socket& s)
{
    int n = 0;
    for (;;)
    {
        Socket accepted;
        int e = Accept(s, accepted);
        if (e == EAGAIN || e == EWOULDBLOCK)
        {
            return n;
        }
        Require(e, "accept");
        ++n; // the probe discards the accepted socket: it closes at once
    }
}

/// \param s a non-blocking socket \return the number of datagrams read before EAGAIN
int
DrainDatagrams(const Socket& s)
{
    int n = 0;
    for (;;)
    {
        ssize_t received = 0;
        int e = Recv(s, received);
        if (e == EAGAIN || e == EWOULDBLOCK)
        {
            return n;
        }
        Require(e, "recv");
        ++n;
    }
}

/**
 * \brief Enter a private network namespace and bring its "lo" up, as `unshare -n` followed
 * by `ip link set lo up` (done through ioctl, without external binaries).
 */
void
EnterPrivateNetwork()
{
    Require(ErrnoOf(unshare(CLONE_NEWNET)), "unshare(CLONE_NEWNET)");
    Socket s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (s.Fd() < 0)
    {
        Require(errno, "socket for ioctl");
    }
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    Require(ErrnoOf(ioctl(s.Fd(), SIOCGIFFLAGS, &ifr)), "ioctl SIOCGIFFLAGS lo");
    ifr.ifr_flags |= IFF_UP;
    Require(ErrnoOf(ioctl(s.Fd(), SIOCSIFFLAGS, &ifr)), "ioctl SIOCSIFFLAGS lo up");
}

// --- the cases ------------------------------------------------------------------------------

/// \return tcp_and_udp_same_port's result
Json
TcpAndUdpSamePort()
{
    Socket t = Tcp();
    Socket u = Udp();
    Json res = Json::object();
    res["tcp_bind"] = Outcome(Bind(t, ANY_ADDR, SERVER_PORT));
    res["tcp_listen"] = Outcome(Listen(t, DEFAULT_BACKLOG));
    res["udp_bind"] = Outcome(Bind(u, ANY_ADDR, SERVER_PORT));
    return res;
}

/**
 * \brief The probe's bind_pair(): both sockets are closed on return.
 * \param tcp TCP (else UDP) \param a1 first address \param a2 second address
 * \param o1 first options \param o2 second options \param listenFirst first socket listens
 * \return the second bind's outcome
 */
std::string
BindPair(bool tcp, const char* a1, const char* a2, Reuse o1, Reuse o2, bool listenFirst)
{
    Socket s1 = tcp ? Tcp(o1) : Udp(o1);
    Socket s2 = tcp ? Tcp(o2) : Udp(o2);
    Bind(s1, a1, SERVER_PORT); // outcome ignored, as in the probe
    if (listenFirst && tcp)
    {
        Listen(s1, DEFAULT_BACKLOG);
    }
    return Outcome(Bind(s2, a2, SERVER_PORT));
}

/// \return bind_matrix's result
Json
BindMatrix()
{
    const std::pair<const char*, const char*> addrs[] = {
        {ANY_ADDR, ANY_ADDR},
        {LOOPBACK, LOOPBACK},
        {LOOPBACK, LOOPBACK_2},
        {ANY_ADDR, LOOPBACK},
        {LOOPBACK, ANY_ADDR},
    };
    const std::pair<const char*, Reuse> opts[] = {
        {"none", Reuse{false, false}},
        {"ra", Reuse{true, false}},
        {"rp", Reuse{false, true}},
        {"both", Reuse{true, true}},
    };
    Json out = Json::object();
    for (const char* kind : {"tcp", "udp"})
    {
        bool tcp = std::string(kind) == "tcp";
        for (const auto& [a1, a2] : addrs)
        {
            for (const auto& [n1, o1] : opts)
            {
                for (const auto& [n2, o2] : opts)
                {
                    std::vector<bool> listenChoices =
                        tcp ? std::vector<bool>{false, true} : std::vector<bool>{false};
                    for (bool lf : listenChoices)
                    {
                        std::string key = BindMatrixKey(kind, a1, n1, lf, a2, n2);
                        out[key] = BindPair(tcp, a1, a2, o1, o2, lf);
                    }
                }
            }
        }
    }
    return out;
}

/**
 * \brief The probe's serve_one(): a listener accepts one connection, one side closes first.
 * \param srvReuseaddr SO_REUSEADDR on the listener
 * \param serverCloses the accepted socket closes first (else the client)
 * \return the listener, still open
 */
Socket
ServeOne(bool srvReuseaddr, bool serverCloses)
{
    Socket ls = Tcp(Reuse{srvReuseaddr, false});
    MustBind(ls, LOOPBACK, SERVER_PORT);
    MustListen(ls, DEFAULT_BACKLOG);
    Socket c = CreateConnection(LOOPBACK, SERVER_PORT);
    Socket a = AcceptOne(ls);
    Socket& first = serverCloses ? a : c;
    Socket& second = serverCloses ? c : a;
    first.Close();
    Sleep(SETTLE_DELAY);
    second.Close();
    Sleep(SETTLE_DELAY);
    return ls;
}

/**
 * \param oldReuseaddr SO_REUSEADDR on the old listener
 * \param serverCloses the server side closes first
 * \param newReuseaddr SO_REUSEADDR on the new socket
 * \return server_restart's result
 */
Json
ServerRestart(bool oldReuseaddr, bool serverCloses, bool newReuseaddr)
{
    Socket ls = ServeOne(oldReuseaddr, serverCloses);
    ls.Close();
    Json st = SsStates();
    std::string r;
    {
        Socket fresh = Tcp(Reuse{newReuseaddr, false});
        r = Outcome(Bind(fresh, LOOPBACK, SERVER_PORT));
    }
    Json res = Json::object();
    res["bind"] = r;
    res["ss"] = st;
    return res;
}

/// \return listen_conflict_after_shared_bind's result
Json
ListenConflictAfterSharedBind()
{
    Socket s1 = Tcp(Reuse{true, false});
    Socket s2 = Tcp(Reuse{true, false});
    Json r = Json::object();
    r["bind1"] = Outcome(Bind(s1, LOOPBACK, SERVER_PORT));
    r["bind2"] = Outcome(Bind(s2, LOOPBACK, SERVER_PORT));
    r["listen1"] = Outcome(Listen(s1, DEFAULT_BACKLOG));
    r["listen2"] = Outcome(Listen(s2, DEFAULT_BACKLOG));
    return r;
}

/// \param first first port \param last last port \return "first last" for the range sysctl
std::string
PortRange(int first, int last)
{
    return std::to_string(first) + " " + std::to_string(last);
}

/// \return client_port_reuse's result
Json
ClientPortReuse()
{
    WriteSysctl("net.ipv4.ip_local_port_range", PortRange(NARROW_RANGE_FIRST, NARROW_RANGE_FIRST));
    const std::pair<const char*, uint16_t> servers[] = {
        {LOOPBACK, SERVER_PORT},
        {LOOPBACK_2, SERVER_PORT},
        {LOOPBACK, OTHER_SERVER_PORT},
    };
    std::vector<Socket> listeners;
    for (const auto& [ip, port] : servers)
    {
        Socket s = Tcp();
        MustBind(s, ip, port);
        MustListen(s, DEFAULT_BACKLOG);
        listeners.push_back(std::move(s));
    }
    const std::pair<const char*, uint16_t> destinations[] = {
        {LOOPBACK, SERVER_PORT},
        {LOOPBACK_2, SERVER_PORT},
        {LOOPBACK, OTHER_SERVER_PORT},
        {LOOPBACK, SERVER_PORT},
    };
    Json res = Json::object();
    std::vector<Socket> keep;
    for (const auto& [ip, port] : destinations)
    {
        Socket c = Tcp();
        std::string r = Outcome(Connect(c, ip, port));
        std::string key = "connect#" + std::to_string(res.size() + 1) + " " + Endpoint(ip, port);
        std::string value = r;
        if (r == "ok")
        {
            value += " local=" + std::to_string(LocalPort(c));
        }
        res[key] = value;
        keep.push_back(std::move(c));
    }
    // explicit bind() before connect takes the only port
    Socket b = Tcp();
    res["bind(0) with the one port in use by connections"] = Outcome(Bind(b, ANY_ADDR, ANY_PORT));
    return res;
}

/// \return client_bind_then_connect's result
Json
ClientBindThenConnect()
{
    WriteSysctl("net.ipv4.ip_local_port_range",
                PortRange(NARROW_RANGE_FIRST, NARROW_RANGE_FIRST + 1));
    Socket s1 = Tcp();
    MustBind(s1, LOOPBACK, SERVER_PORT);
    MustListen(s1, DEFAULT_BACKLOG);
    Socket s2 = Tcp();
    MustBind(s2, LOOPBACK_2, SERVER_PORT);
    MustListen(s2, DEFAULT_BACKLOG);
    Json res = Json::object();
    std::vector<Socket> keep;
    for (const char* ip : {LOOPBACK, LOOPBACK_2, LOOPBACK})
    {
        Socket c = Tcp();
        std::string rb = Outcome(Bind(c, ANY_ADDR, ANY_PORT));
        std::string rc = rb == "ok" ? Outcome(Connect(c, ip, SERVER_PORT)) : std::string("-");
        // the same key twice: the later value replaces the earlier one in place (Python dict)
        res[std::string("bind(0)+connect ") + ip] = "bind=" + rb + " connect=" + rc;
        keep.push_back(std::move(c));
    }
    return res;
}

/**
 * \brief The probe's tw_exhaust(): connect and close (client first) until the range is spent.
 * \param twReuse net.ipv4.tcp_tw_reuse
 * \param nports ports in the range
 * \param ndest listeners (destination ports)
 * \param waitS seconds to wait before a last connect, 0 for none
 * \return the result
 */
Json
TwExhaust(int twReuse, int nports, int ndest, double waitS)
{
    const char* dstIp = LOOPBACK;
    WriteSysctl("net.ipv4.ip_local_port_range",
                PortRange(NARROW_RANGE_FIRST, NARROW_RANGE_FIRST + nports - 1));
    WriteSysctl("net.ipv4.tcp_tw_reuse", std::to_string(twReuse));
    std::vector<Socket> ls;
    for (int d = 0; d < ndest; ++d)
    {
        Socket s = Tcp();
        MustBind(s, dstIp, static_cast<uint16_t>(SERVER_PORT + d));
        MustListen(s, LARGE_BACKLOG);
        ls.push_back(std::move(s));
    }
    int ok = 0;
    Json firstFail; // null
    for (int i = 0; i < nports * ndest + TW_EXHAUST_EXTRA; ++i)
    {
        Socket c = Tcp();
        std::string r = Outcome(Connect(c, dstIp, static_cast<uint16_t>(SERVER_PORT + i % ndest)));
        if (r == "ok")
        {
            ++ok;
            Socket a = AcceptOne(ls[i % ndest]);
            c.Close();
            Sleep(CLOSE_GAP);
            a.Close();
        }
        else
        {
            if (firstFail.is_null())
            {
                firstFail = Json::array();
                firstFail.push_back(i);
                firstFail.push_back(r);
            }
            c.Close();
        }
    }
    Json res = Json::object();
    res["ok_before_wait"] = ok;
    res["first_fail"] = firstFail;
    res["ss"] = SsStates();
    if (waitS != 0.0)
    {
        Sleep(std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::duration<double>(waitS)));
        Socket c = Tcp();
        res["connect_after_" + PythonFloatText(waitS) + "s"] =
            Outcome(Connect(c, dstIp, SERVER_PORT));
    }
    return res;
}

/// \return linger_zero_no_timewait's result
Json
LingerZeroNoTimewait()
{
    Socket ls = Tcp();
    MustBind(ls, LOOPBACK, SERVER_PORT);
    MustListen(ls, DEFAULT_BACKLOG);
    Socket c = CreateConnection(LOOPBACK, SERVER_PORT);
    Socket a = AcceptOne(ls);
    linger lingerZero{1, 0};
    Require(ErrnoOf(setsockopt(c.Fd(), SOL_SOCKET, SO_LINGER, &lingerZero, sizeof(lingerZero))),
            "setsockopt SO_LINGER");
    c.Close();
    Sleep(SETTLE_DELAY);
    ssize_t received = 0;
    int e = Recv(a, received);
    std::string peer = e == 0 ? std::string("eof") : ErrnoText(e);
    Json res = Json::object();
    res["ss"] = SsStates();
    res["peer_recv"] = peer;
    return res;
}

/// \return max_tw_buckets's result
Json
MaxTwBuckets()
{
    WriteSysctl("net.ipv4.tcp_max_tw_buckets", std::to_string(MAX_TW_BUCKETS));
    Socket ls = Tcp();
    MustBind(ls, LOOPBACK, SERVER_PORT);
    MustListen(ls, MAX_TW_BACKLOG);
    for (int i = 0; i < MAX_TW_CONNECTIONS; ++i)
    {
        Socket c = CreateConnection(LOOPBACK, SERVER_PORT);
        Socket a = AcceptOne(ls);
        c.Close();
        Sleep(CLOSE_GAP);
        a.Close();
    }
    Sleep(SETTLE_DELAY);
    Json res = Json::object();
    res["ss"] = SsStates();
    return res;
}

/// \return refused_tcp_and_udp's result
Json
RefusedTcpAndUdp()
{
    Socket c = Tcp();
    std::string r = Outcome(Connect(c, LOOPBACK, CLOSED_PORT));
    Socket u = Udp();
    Require(Connect(u, LOOPBACK, CLOSED_PORT), "connect udp " + Endpoint(LOOPBACK, CLOSED_PORT));
    const char payload = 'x';
    Require(ErrnoOf(send(u.Fd(), &payload, sizeof(payload), 0)), "send");
    Sleep(SETTLE_DELAY);
    ssize_t received = 0;
    std::string ru = Outcome(Recv(u, received));
    Json res = Json::object();
    res["tcp_connect_no_listener"] = r;
    res["udp_recv_after_send_to_unbound"] = ru;
    return res;
}

/// \return udp_reuse_delivery's result
Json
UdpReuseDelivery()
{
    const std::pair<const char*, Reuse> modes[] = {
        {"reuseaddr", Reuse{true, false}},
        {"reuseport", Reuse{false, true}},
    };
    Json res = Json::object();
    for (const auto& [name, o] : modes)
    {
        std::vector<Socket> socks;
        for (int j = 0; j < UDP_RECEIVERS; ++j)
        {
            socks.push_back(Udp(o));
        }
        for (const auto& s : socks)
        {
            MustBind(s, LOOPBACK, UDP_PORT);
            SetNonBlocking(s);
        }
        const sockaddr_in to = MakeAddress(LOOPBACK, UDP_PORT);
        const char payload = 'x';
        for (int i = 0; i < UDP_DATAGRAMS; ++i)
        {
            Socket c = Udp();
            MustBind(c, LOOPBACK, ANY_PORT);
            Require(ErrnoOf(sendto(c.Fd(),
                                   &payload,
                                   sizeof(payload),
                                   0,
                                   reinterpret_cast<const sockaddr*>(&to),
                                   sizeof(to))),
                    "sendto");
            c.Close();
        }
        Sleep(SETTLE_DELAY);
        Json counts = Json::array();
        for (const auto& s : socks)
        {
            counts.push_back(DrainDatagrams(s));
        }
        res[name] = counts;
        socks.clear(); // closes them
    }
    return res;
}

/// \return tcp_reuseport_balance's result
Json
TcpReuseportBalance()
{
    std::vector<Socket> ls;
    for (int i = 0; i < REUSEPORT_LISTENERS; ++i)
    {
        ls.push_back(Tcp(Reuse{false, true}));
    }
    for (const auto& s : ls)
    {
        MustBind(s, LOOPBACK, SERVER_PORT);
        MustListen(s, LARGE_BACKLOG);
        SetNonBlocking(s);
    }
    std::vector<Socket> conns;
    for (int i = 0; i < REUSEPORT_CONNECTIONS; ++i)
    {
        conns.push_back(CreateConnection(LOOPBACK, SERVER_PORT));
    }
    Sleep(SETTLE_DELAY);
    Json counts = Json::array();
    for (const auto& s : ls)
    {
        counts.push_back(DrainAccepts(s));
    }
    Json res = Json::object();
    res["accepted_per_listener"] = counts;
    return res;
}

/// \param ports port numbers \return {"even": n, "odd": m}
Json
Parity(const std::vector<uint16_t>& ports)
{
    int even = 0;
    int odd = 0;
    for (uint16_t p : ports)
    {
        (p % 2 == 0 ? even : odd)++;
    }
    Json par = Json::object();
    par["even"] = even;
    par["odd"] = odd;
    return par;
}

/// \return ephemeral_parity's result
Json
EphemeralParity()
{
    Socket s = Tcp();
    MustBind(s, LOOPBACK, SERVER_PORT);
    MustListen(s, LARGE_BACKLOG);
    std::vector<uint16_t> connPorts;
    std::vector<Socket> keep;
    for (int i = 0; i < PARITY_SAMPLES; ++i)
    {
        Socket c = CreateConnection(LOOPBACK, SERVER_PORT);
        connPorts.push_back(LocalPort(c));
        keep.push_back(std::move(c));
    }
    std::vector<uint16_t> bindPorts;
    for (int i = 0; i < PARITY_SAMPLES; ++i)
    {
        Socket b = Tcp();
        MustBind(b, ANY_ADDR, ANY_PORT);
        bindPorts.push_back(LocalPort(b));
        keep.push_back(std::move(b));
    }
    std::vector<uint16_t> udpPorts;
    for (int i = 0; i < PARITY_SAMPLES; ++i)
    {
        Socket u = Udp();
        MustBind(u, ANY_ADDR, ANY_PORT);
        udpPorts.push_back(LocalPort(u));
        keep.push_back(std::move(u));
    }
    int consecutive = 0;
    for (size_t i = 1; i < connPorts.size(); ++i)
    {
        int step = static_cast<int>(connPorts[i]) - static_cast<int>(connPorts[i - 1]);
        if (step == 1 || step == 2)
        {
            ++consecutive;
        }
    }
    Json range = Json::array();
    for (const std::string& word : SplitWords(ReadFile("/proc/sys/net/ipv4/ip_local_port_range")))
    {
        range.push_back(word);
    }
    Json res = Json::object();
    res["connect"] = Parity(connPorts);
    res["bind0"] = Parity(bindPorts);
    res["udp_bind0"] = Parity(udpPorts);
    res["connect_sequential_steps"] = consecutive;
    res["range"] = range;
    return res;
}

// --- the case table -------------------------------------------------------------------------

/// A named case.
struct KernelCase
{
    std::string name;               //!< the probe's case name
    std::function<Json()> run;      //!< runs it in the current namespace
};

/// \return every case, in the probe's CASES order
const std::vector<KernelCase>&
Cases()
{
    static const std::vector<KernelCase> cases = [] {
        std::vector<KernelCase> v;
        v.push_back({"tcp_and_udp_same_port", TcpAndUdpSamePort});
        v.push_back({"bind_matrix", BindMatrix});
        for (bool oldRa : {false, true})
        {
            for (bool serverCloses : {true, false})
            {
                for (bool newRa : {false, true})
                {
                    std::string name = ServerRestartCaseName(oldRa, serverCloses, newRa);
                    v.push_back({name, [oldRa, serverCloses, newRa] {
                                     return ServerRestart(oldRa, serverCloses, newRa);
                                 }});
                }
            }
        }
        v.push_back({"listen_conflict_after_shared_bind", ListenConflictAfterSharedBind});
        v.push_back({"client_port_reuse", ClientPortReuse});
        v.push_back({"client_bind_then_connect", ClientBindThenConnect});
        v.push_back({"tw_exhaust_one_dest_reuse0",
                     [] { return TwExhaust(0, TW_EXHAUST_PORTS, 1, TW_REUSE_WAIT_S); }});
        v.push_back({"tw_exhaust_one_dest_reuse1",
                     [] { return TwExhaust(1, TW_EXHAUST_PORTS, 1, TW_REUSE_WAIT_S); }});
        v.push_back({"tw_exhaust_one_dest_reuse2_loopback",
                     [] { return TwExhaust(2, TW_EXHAUST_PORTS, 1, TW_REUSE_WAIT_S); }});
        v.push_back({"tw_exhaust_two_dest_reuse0",
                     [] { return TwExhaust(0, TW_EXHAUST_PORTS, 2, NO_WAIT_S); }});
        v.push_back({"linger_zero_no_timewait", LingerZeroNoTimewait});
        v.push_back({"max_tw_buckets", MaxTwBuckets});
        v.push_back({"refused_tcp_and_udp", RefusedTcpAndUdp});
        v.push_back({"udp_reuse_delivery", UdpReuseDelivery});
        v.push_back({"tcp_reuseport_balance", TcpReuseportBalance});
        v.push_back({"ephemeral_parity", EphemeralParity});
        return v;
    }();
    return cases;
}

// --- running in a child ---------------------------------------------------------------------

/// What a child reported.
struct ChildReport
{
    bool succeeded{false}; //!< exited with status 0
    std::string text;      //!< what it wrote to the pipe
    std::string status;    //!< how it ended, for messages
};

/// \param fd a pipe's write end \param text written completely (errors ignored)
void
WriteAll(int fd, const std::string& text)
{
    size_t done = 0;
    while (done < text.size())
    {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            return;
        }
        done += static_cast<size_t>(n);
    }
}

/**
 * \brief The child's side: never returns, never lets an exception cross the fork.
 * \param body produces the text to send back
 * \param fd the pipe's write end
 */
[[noreturn]] void
ChildMain(const std::function<std::string()>& body, int fd)
{
    int code = CHILD_BROKEN;
    try
    {
        std::string text;
        try
        {
            text = body();
            code = 0;
        }
        catch (const std::exception& e)
        {
            text = e.what();
            code = CHILD_FAILED;
        }
        catch (...)
        {
            text = "unknown exception";
            code = CHILD_FAILED;
        }
        WriteAll(fd, text);
    }
    catch (...)
    {
        code = CHILD_BROKEN;
    }
    _exit(code);
}

/// \param status a waitpid status \return "exit status N" or "killed by signal N"
std::string
DescribeStatus(int status)
{
    if (WIFEXITED(status))
    {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status))
    {
        return "killed by signal " + std::to_string(WTERMSIG(status));
    }
    return "status " + std::to_string(status);
}

/**
 * \brief Run \p body in a forked child and collect what it writes.
 * \param body the child's work (runs after fork; its exceptions become a failed report)
 * \param timeout how long to wait for the child
 * \param what names the work in error messages
 * \return the report
 * \throws std::runtime_error if fork/pipe fail or the child overruns \p timeout
 */
ChildReport
RunInChild(const std::function<std::string()>& body,
           std::chrono::milliseconds timeout,
           const std::string& what)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
    {
        Require(errno, "pipe2");
    }
    std::fflush(nullptr); // nothing buffered gets written twice
    pid_t pid = fork();
    if (pid < 0)
    {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        Require(e, "fork");
    }
    if (pid == 0)
    {
        close(fds[0]);
        ChildMain(body, fds[1]);
    }
    close(fds[1]);

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto remainingMs = [&deadline]() {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        return left.count() > 0 ? static_cast<int>(left.count()) : 0;
    };
    auto killAndThrow = [&](const std::string& why) {
        close(fds[0]);
        kill(pid, SIGKILL);
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR)
        {
        }
        throw std::runtime_error(what + ": " + why);
    };

    ChildReport report;
    char buf[4096];
    for (;;)
    {
        pollfd pfd{fds[0], POLLIN, 0};
        int ready = poll(&pfd, 1, remainingMs());
        if (ready < 0)
        {
            if (errno == EINTR)
            {
                continue;
            }
            killAndThrow(std::string("poll failed: ") + std::strerror(errno));
        }
        if (ready == 0)
        {
            killAndThrow(
                "no result after " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                " s (killed)");
        }
        ssize_t n = read(fds[0], buf, sizeof(buf));
        if (n < 0)
        {
            if (errno == EINTR)
            {
                continue;
            }
            killAndThrow(std::string("read failed: ") + std::strerror(errno));
        }
        if (n == 0)
        {
            break;
        }
        report.text.append(buf, static_cast<size_t>(n));
    }

    int status = 0;
    for (;;)
    {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
        {
            break;
        }
        if (done < 0 && errno != EINTR)
        {
            killAndThrow(std::string("waitpid failed: ") + std::strerror(errno));
        }
        if (remainingMs() == 0)
        {
            killAndThrow("child did not exit in time (killed)");
        }
        std::this_thread::sleep_for(REAP_INTERVAL);
    }
    close(fds[0]);
    report.succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    report.status = DescribeStatus(status);
    return report;
}

} // namespace

std::vector<std::string>
KernelCaseNames()
{
    std::vector<std::string> names;
    for (const auto& c : Cases())
    {
        names.push_back(c.name);
    }
    return names;
}

bool
KernelRecordingPermitted(std::string& why)
{
    if (geteuid() != 0)
    {
        why = "recording on the kernel needs root (effective uid 0) to enter a network "
              "namespace and write its sysctls";
        return false;
    }
    try
    {
        ChildReport report = RunInChild(
            [] {
                EnterPrivateNetwork();
                return std::string();
            },
            PERMISSION_TIMEOUT,
            "network namespace check");
        if (!report.succeeded)
        {
            why = "cannot use a private network namespace: " +
                  (report.text.empty() ? report.status : report.text);
            return false;
        }
    }
    catch (const std::exception& e)
    {
        why = e.what();
        return false;
    }
    why.clear();
    return true;
}

Json
RecordKernelCase(const std::string& name)
{
    const KernelCase* found = nullptr;
    for (const auto& c : Cases())
    {
        if (c.name == name)
        {
            found = &c;
        }
    }
    if (found == nullptr)
    {
        throw std::runtime_error("unknown kernel case '" + name + "'");
    }
    const std::string what = "kernel case " + name;
    ChildReport report = RunInChild(
        [found] {
            EnterPrivateNetwork();
            return DumpJson(found->run());
        },
        CASE_TIMEOUT,
        what);
    if (!report.succeeded)
    {
        throw std::runtime_error(what + " failed (" + report.status + ")" +
                                 (report.text.empty() ? "" : ": " + report.text));
    }
    try
    {
        return ParseJson(report.text);
    }
    catch (const JsonError& e)
    {
        throw std::runtime_error(what + ": unparsable result: " + e.what());
    }
}

} // namespace portlab
