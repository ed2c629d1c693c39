/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "script/kernel-script.h"

#include "ports/port-types.h"
#include "transport/linux-mib.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <map>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace portlab
{

namespace
{

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif

/// ss's state names by Linux TCP state number (iproute2 misc/ss.c sstate_name).
const char* const SS_NAMES[] = {"UNKNOWN",
                                "ESTAB",
                                "SYN-SENT",
                                "SYN-RECV",
                                "FIN-WAIT-1",
                                "FIN-WAIT-2",
                                "TIME-WAIT",
                                "UNCONN",
                                "CLOSE-WAIT",
                                "LAST-ACK",
                                "LISTEN",
                                "CLOSING"};
/// The names `state` prints (portlab's TcpStateName), by Linux TCP state number.
const char* const STATE_NAMES[] = {"UNKNOWN",
                                   "ESTABLISHED",
                                   "SYN_SENT",
                                   "SYN_RECV",
                                   "FIN_WAIT1",
                                   "FIN_WAIT2",
                                   "TIME_WAIT",
                                   "CLOSE",
                                   "CLOSE_WAIT",
                                   "LAST_ACK",
                                   "LISTEN",
                                   "CLOSING"};

/// A socket of the script.
struct KernelSocket
{
    int fd{-1};       //!< -1 once closed: calls then get EBADF from the kernel
    bool tcp{true};   //!< TCP or UDP
    std::string host; //!< its host
};

/// Runs the program in this (child) process and writes "LINE\tNS\tRESULT" lines to out.
class KernelWorld
{
  public:
    explicit KernelWorld(int out)
        : m_out(out),
          m_start(std::chrono::steady_clock::now())
    {
    }

    void Run(const ScriptProgram& program)
    {
        for (const auto& s : program.statements)
        {
            std::string got = Do(s);
            if (s.hasExpectation)
            {
                int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now() - m_start)
                                 .count();
                for (char& c : got)
                {
                    c = c == '\n' ? '\x1f' : c; // one result a line on the pipe
                }
                std::string line =
                    std::to_string(s.line) + "\t" + std::to_string(ns) + "\t" + got + "\n";
                if (write(m_out, line.data(), line.size()) < 0)
                {
                    _exit(3);
                }
            }
        }
    }

  private:
    [[noreturn]] static void Die(const std::string& why)
    {
        throw std::runtime_error(why);
    }

    static std::string Err(int rc)
    {
        return rc < 0 ? ScriptErrnoName(errno) : "ok";
    }

    void Enter(const std::string& host)
    {
        if (setns(m_hosts.at(host), CLONE_NEWNET) != 0)
        {
            Die("setns " + host + ": " + std::strerror(errno));
        }
    }

    /// Run `tc ARGS`; its stderr (first line) in \p why when it fails.
    static bool Tc(const std::vector<std::string>& args, std::string& why)
    {
        int errPipe[2];
        if (pipe(errPipe) != 0)
        {
            why = std::string("pipe: ") + std::strerror(errno);
            return false;
        }
        pid_t pid = fork();
        if (pid == 0)
        {
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>("tc"));
            for (const auto& a : args)
            {
                argv.push_back(const_cast<char*>(a.c_str()));
            }
            argv.push_back(nullptr);
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(errPipe[1], 2);
            close(errPipe[0]);
            execvp("tc", argv.data());
            _exit(127);
        }
        close(errPipe[1]);
        std::string err;
        char buf[512];
        ssize_t n;
        while ((n = read(errPipe[0], buf, sizeof(buf))) > 0)
        {
            err.append(buf, static_cast<size_t>(n));
        }
        close(errPipe[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        {
            return true;
        }
        err = err.substr(0, err.find('\n'));
        why = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "tc is not installed (iproute2)"
                                                              : "tc said '" + err + "'";
        return false;
    }

    /// Delay, rate and loss on a veth end's egress with netem; false (why set) if impossible.
    static bool Netem(const std::string& dev, const ScriptStatement& s, std::string& why)
    {
        std::vector<std::string> args{"qdisc", "add", "dev", dev, "root", "netem"};
        if (s.nanoseconds > 0)
        {
            args.insert(args.end(), {"delay", std::to_string(s.nanoseconds / 1000) + "us"});
        }
        if (s.rateBps > 0)
        {
            args.insert(args.end(), {"rate", std::to_string(s.rateBps) + "bit"});
        }
        if (s.loss > 0)
        {
            char p[32];
            std::snprintf(p, sizeof(p), "%.6f%%", s.loss * 100);
            args.insert(args.end(), {"loss", p});
        }
        return Tc(args, why);
    }

    static void Ip(const std::vector<std::string>& args)
    {
        pid_t pid = fork();
        if (pid == 0)
        {
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>("ip"));
            for (const auto& a : args)
            {
                argv.push_back(const_cast<char*>(a.c_str()));
            }
            argv.push_back(nullptr);
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            execvp("ip", argv.data());
            _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        {
            std::string cmd = "ip";
            for (const auto& a : args)
            {
                cmd += " " + a;
            }
            Die("'" + cmd + "' failed" +
                (WIFEXITED(status) && WEXITSTATUS(status) == 127 ? " (is iproute2 installed?)"
                                                                 : ""));
        }
    }

    static std::string Hex(int v)
    {
        const char* digits = "0123456789abcdef";
        return std::string{digits[(v >> 4) & 15], digits[v & 15]};
    }

    static sockaddr_in Sin(const ScriptEndpoint& e)
    {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(e.port);
        a.sin_addr.s_addr = htonl(e.address);
        return a;
    }

    static std::string Text(const sockaddr_in& a)
    {
        return FormatIpv4(ntohl(a.sin_addr.s_addr)) + ":" + std::to_string(ntohs(a.sin_port));
    }

    KernelSocket& Sock(const std::string& name)
    {
        return m_sockets.at(name);
    }

    std::string Do(const ScriptStatement& s)
    {
        switch (s.verb)
        {
        case ScriptVerb::HOST: {
            if (unshare(CLONE_NEWNET) != 0)
            {
                Die(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
            }
            int fd = open("/proc/self/ns/net", O_RDONLY); // inherited by ip: no O_CLOEXEC
            if (fd < 0)
            {
                Die(std::string("open /proc/self/ns/net: ") + std::strerror(errno));
            }
            m_hosts[s.names[0]] = fd;
            Ip({"link", "set", "lo", "up"});
            return "ok";
        }
        case ScriptVerb::LINK: {
            const std::string& a = s.names[0];
            const std::string& b = s.names[1];
            std::string da = "eth" + std::to_string(m_links[a]++);
            std::string db = "eth" + std::to_string(m_links[b]++);
            Enter(a);
            Ip({"link",
                "add",
                "name",
                da,
                "type",
                "veth",
                "peer",
                "name",
                db,
                "netns",
                "/proc/self/fd/" + std::to_string(m_hosts[b])});
            // A point-to-point link, as the model's: both ends share one MAC address and do no
            // ARP, so every packet for the /24 reaches the peer, which drops what is not its
            // own (a silent address: SYNs go unanswered, as on a PPP link).
            std::string mac = "02:00:00:00:" + Hex(m_linkCount >> 8) + ":" + Hex(m_linkCount);
            ++m_linkCount;
            Ip({"link", "set", da, "address", mac, "arp", "off"});
            Ip({"addr", "add", FormatIpv4(s.endpoint.address) + "/24", "dev", da});
            Ip({"link", "set", da, "up"});
            Enter(b);
            Ip({"link", "set", db, "address", mac, "arp", "off"});
            Ip({"addr", "add", FormatIpv4(s.endpoint2.address) + "/24", "dev", db});
            Ip({"link", "set", db, "up"});
            // Delay, rate and loss by netem on each end's egress. A rate or a loss the kernel
            // cannot apply refuses the script; a bare delay without netem is left out, as
            // veth has none (README).
            std::string why;
            const bool shaped = s.rateBps > 0 || s.loss > 0;
            Enter(a);
            bool ok = Netem(da, s, why);
            Enter(b);
            ok = ok && Netem(db, s, why);
            if (!ok && shaped)
            {
                Die("line " + std::to_string(s.line) + ": '" + s.text +
                    "': rate= and loss= need tc netem (the sch_netem qdisc) on the veth ends, "
                    "which this kernel cannot give: " +
                    why);
            }
            return "ok";
        }
        case ScriptVerb::SYSCTL: {
            // The setting as the script parsed it: its Linux name, and the value as written
            // (the kernel parses it itself).
            const std::string key = s.sysctl.Name();
            const std::string& value = s.sysctl.text;
            if (!s.sysctl.descriptor->IsLinux())
            {
                Die("'" + key + "' is portlab's own setting; the kernel has no such sysctl");
            }
            std::string path = "/proc/sys/" + key;
            for (char& c : path)
            {
                c = c == '.' ? '/' : c;
            }
            std::vector<std::string> hosts;
            for (const auto& [h, fd] : m_hosts)
            {
                if (s.names[0] == "*" || s.names[0] == h)
                {
                    hosts.push_back(h);
                }
            }
            for (const auto& h : hosts)
            {
                Enter(h);
                std::ofstream f(path);
                f << value << "\n";
                f.close();
                if (!f)
                {
                    return "EINVAL";
                }
            }
            return "ok";
        }
        case ScriptVerb::TCP:
        case ScriptVerb::UDP: {
            Enter(s.names[0]);
            uid_t uid = 0;
            for (const auto& o : s.options)
            {
                if (o.rfind("uid=", 0) == 0)
                {
                    uid = static_cast<uid_t>(std::stoul(o.substr(4)));
                }
            }
            if (uid != 0 && seteuid(uid) != 0)
            {
                Die(std::string("seteuid: ") + std::strerror(errno));
            }
            int fd = socket(AF_INET, s.verb == ScriptVerb::TCP ? SOCK_STREAM : SOCK_DGRAM, 0);
            int e = errno;
            if (uid != 0 && seteuid(0) != 0)
            {
                Die(std::string("seteuid(0): ") + std::strerror(errno));
            }
            if (fd < 0)
            {
                return ScriptErrnoName(e);
            }
            int one = 1;
            for (const auto& o : s.options)
            {
                if (o == "reuseaddr")
                {
                    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                }
                else if (o == "reuseport")
                {
                    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
                }
                else if (o == "linger0")
                {
                    linger l{1, 0};
                    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
                }
                else if (o == "nonblock")
                {
                    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                }
            }
            m_sockets[s.names[1]] = KernelSocket{fd, s.verb == ScriptVerb::TCP, s.names[0]};
            return "ok";
        }
        case ScriptVerb::SETSOCKOPT:
            return SetOption(Sock(s.names[0]), s.option, s.value);
        case ScriptVerb::GETSOCKOPT:
            return GetOption(Sock(s.names[0]), s.option);
        case ScriptVerb::BIND: {
            sockaddr_in a = Sin(s.endpoint);
            return Err(bind(Sock(s.names[0]).fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)));
        }
        case ScriptVerb::LISTEN:
            return Err(listen(Sock(s.names[0]).fd, s.number >= 0 ? int(s.number) : 4096));
        case ScriptVerb::CONNECT: {
            sockaddr_in a = Sin(s.endpoint);
            return Err(connect(Sock(s.names[0]).fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)));
        }
        case ScriptVerb::ACCEPT: {
            KernelSocket& l = Sock(s.names[0]);
            int flags = l.fd >= 0 ? fcntl(l.fd, F_GETFL) : 0;
            if (l.fd >= 0)
            {
                fcntl(l.fd, F_SETFL, flags | O_NONBLOCK);
            }
            int fd = accept(l.fd, nullptr, nullptr);
            int e = errno;
            if (l.fd >= 0)
            {
                fcntl(l.fd, F_SETFL, flags);
            }
            m_sockets[s.names[1]] = KernelSocket{fd, true, l.host};
            return fd >= 0 ? "ok" : ScriptErrnoName(e);
        }
        case ScriptVerb::SEND: {
            std::string data(s.bytes, 'x');
            ssize_t n =
                send(Sock(s.names[0]).fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            return n < 0 ? ScriptErrnoName(errno) : "ok";
        }
        case ScriptVerb::SENDTO: {
            std::string data(s.bytes, 'x');
            sockaddr_in a = Sin(s.endpoint);
            ssize_t n = sendto(Sock(s.names[0]).fd,
                               data.data(),
                               data.size(),
                               MSG_NOSIGNAL | MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&a),
                               sizeof(a));
            return n < 0 ? ScriptErrnoName(errno) : "ok";
        }
        case ScriptVerb::RECV: {
            int fd = Sock(s.names[0]).fd;
            uint64_t bytes = 0;
            char buf[65536];
            while (true)
            {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n > 0)
                {
                    bytes += static_cast<uint64_t>(n);
                    continue;
                }
                if (bytes > 0)
                {
                    return std::to_string(bytes) + " bytes";
                }
                return n == 0 ? "eof" : ScriptErrnoName(errno);
            }
        }
        case ScriptVerb::RECVFROM: {
            char buf[65536];
            sockaddr_in from{};
            socklen_t len = sizeof(from);
            ssize_t n = recvfrom(Sock(s.names[0]).fd,
                                 buf,
                                 sizeof(buf),
                                 MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from),
                                 &len);
            if (n < 0)
            {
                return ScriptErrnoName(errno);
            }
            // A stream socket leaves the address unset (len 0): "0.0.0.0:0", as the model says.
            return std::to_string(n) + " bytes from " +
                   (len == 0 ? std::string("0.0.0.0:0") : Text(from));
        }
        case ScriptVerb::SHUTDOWN:
            return Err(shutdown(Sock(s.names[0]).fd,
                                s.value == "rd"   ? SHUT_RD
                                : s.value == "wr" ? SHUT_WR
                                                  : SHUT_RDWR));
        case ScriptVerb::CLOSE: {
            KernelSocket& k = Sock(s.names[0]);
            int rc = close(k.fd);
            std::string r = Err(rc);
            k.fd = -1;
            return r;
        }
        case ScriptVerb::WAIT:
            std::this_thread::sleep_for(std::chrono::nanoseconds(s.nanoseconds));
            return "ok";
        case ScriptVerb::STATE: {
            tcp_info info{};
            socklen_t len = sizeof(info);
            if (getsockopt(Sock(s.names[0]).fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
            {
                return ScriptErrnoName(errno);
            }
            return info.tcpi_state < 12 ? STATE_NAMES[info.tcpi_state] : "UNKNOWN";
        }
        case ScriptVerb::PORT:
        case ScriptVerb::GETSOCKNAME:
        case ScriptVerb::GETPEERNAME: {
            sockaddr_in a{};
            socklen_t len = sizeof(a);
            int fd = Sock(s.names[0]).fd;
            int rc = s.verb == ScriptVerb::GETPEERNAME
                         ? getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
                         : getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
            if (rc != 0)
            {
                return ScriptErrnoName(errno);
            }
            return s.verb == ScriptVerb::PORT ? std::to_string(ntohs(a.sin_port)) : Text(a);
        }
        case ScriptVerb::SS:
            Enter(s.names[0]);
            return s.value.empty() ? SsCounts() : SsRows(s.value);
        case ScriptVerb::COUNTERS:
            Enter(s.names[0]);
            return Counters(s.options);
        }
        return "?";
    }

    std::string SetOption(KernelSocket& k, ScriptOption o, const std::string& v)
    {
        int on = v == "1" ? 1 : 0;
        switch (o)
        {
        case ScriptOption::SO_REUSEADDR_:
            return Err(setsockopt(k.fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
        case ScriptOption::SO_REUSEPORT_:
            return Err(setsockopt(k.fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)));
        case ScriptOption::IP_BIND_ADDRESS_NO_PORT_:
            return Err(setsockopt(k.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof(on)));
        case ScriptOption::SO_LINGER_: {
            linger l{v == "off" ? 0 : 1, v == "off" ? 0 : std::stoi(v)};
            return Err(setsockopt(k.fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
        }
        case ScriptOption::IP_LOCAL_PORT_RANGE_: {
            auto dash = v.find('-');
            uint32_t range = (std::stoul(v.substr(dash + 1)) << 16) | std::stoul(v.substr(0, dash));
            return Err(setsockopt(k.fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &range, sizeof(range)));
        }
        case ScriptOption::SO_BINDTODEVICE_:
            return Err(setsockopt(k.fd, SOL_SOCKET, SO_BINDTODEVICE, v.c_str(), v.size()));
        case ScriptOption::O_NONBLOCK_: {
            int flags = fcntl(k.fd, F_GETFL);
            if (flags < 0)
            {
                return ScriptErrnoName(errno);
            }
            return Err(fcntl(k.fd, F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK)));
        }
        case ScriptOption::SO_ERROR_:
            break;
        }
        return "EINVAL";
    }

    std::string GetOption(KernelSocket& k, ScriptOption o)
    {
        int v = 0;
        socklen_t len = sizeof(v);
        auto get = [&](int level, int name) -> std::string {
            if (getsockopt(k.fd, level, name, &v, &len) != 0)
            {
                return ScriptErrnoName(errno);
            }
            return std::to_string(v);
        };
        switch (o)
        {
        case ScriptOption::SO_REUSEADDR_:
            return get(SOL_SOCKET, SO_REUSEADDR);
        case ScriptOption::SO_REUSEPORT_:
            return get(SOL_SOCKET, SO_REUSEPORT);
        case ScriptOption::IP_BIND_ADDRESS_NO_PORT_:
            return get(IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT);
        case ScriptOption::SO_ERROR_: {
            std::string r = get(SOL_SOCKET, SO_ERROR);
            return r[0] == 'E' ? r : ScriptErrnoName(v);
        }
        case ScriptOption::SO_LINGER_: {
            linger l{};
            socklen_t ll = sizeof(l);
            if (getsockopt(k.fd, SOL_SOCKET, SO_LINGER, &l, &ll) != 0)
            {
                return ScriptErrnoName(errno);
            }
            return l.l_onoff ? std::to_string(l.l_linger) : "off";
        }
        case ScriptOption::IP_LOCAL_PORT_RANGE_: {
            uint32_t range = 0;
            socklen_t rl = sizeof(range);
            if (getsockopt(k.fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &range, &rl) != 0)
            {
                return ScriptErrnoName(errno);
            }
            return std::to_string(range & 0xffff) + "-" + std::to_string(range >> 16);
        }
        case ScriptOption::SO_BINDTODEVICE_: {
            char name[IFNAMSIZ + 1] = {};
            socklen_t nl = sizeof(name) - 1;
            if (getsockopt(k.fd, SOL_SOCKET, SO_BINDTODEVICE, name, &nl) != 0)
            {
                return ScriptErrnoName(errno);
            }
            return name;
        }
        case ScriptOption::O_NONBLOCK_: {
            int flags = fcntl(k.fd, F_GETFL);
            return flags < 0 ? ScriptErrnoName(errno) : ((flags & O_NONBLOCK) ? "1" : "0");
        }
        }
        return "EINVAL";
    }

    /// TCP sockets per state, as `ss -tan` would count them in this namespace.
    static std::string SsCounts()
    {
        std::ifstream in("/proc/self/net/tcp");
        std::string line;
        std::getline(in, line); // header
        std::vector<std::string> states;
        while (std::getline(in, line))
        {
            std::istringstream words(line);
            std::string sl;
            std::string local;
            std::string remote;
            std::string st;
            words >> sl >> local >> remote >> st;
            unsigned long state = std::stoul(st, nullptr, 16);
            states.push_back(state < 12 ? SS_NAMES[state] : "UNKNOWN");
        }
        return ScriptSsText(states);
    }

    /// `ss HOST rows`: the namespace's sockets by sock_diag, as `ss -tuan` lists them.
    static std::string SsRows(const std::string& which)
    {
        std::vector<ScriptSsRow> rows;
        for (int proto : {IPPROTO_TCP, IPPROTO_UDP})
        {
            if ((proto == IPPROTO_TCP && which == "udp") ||
                (proto == IPPROTO_UDP && which == "tcp"))
            {
                continue;
            }
            int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
            if (fd < 0)
            {
                Die(std::string("socket(NETLINK_SOCK_DIAG): ") + std::strerror(errno));
            }

            struct
            {
                nlmsghdr nlh;
                inet_diag_req_v2 req;
            } msg{};

            msg.nlh.nlmsg_len = sizeof(msg);
            msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
            msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
            msg.req.sdiag_family = AF_INET;
            msg.req.sdiag_protocol = static_cast<uint8_t>(proto);
            msg.req.idiag_states = ~0u; // every state, as ss -a
            if (send(fd, &msg, sizeof(msg), 0) < 0)
            {
                Die(std::string("sock_diag send: ") + std::strerror(errno));
            }
            bool done = false;
            alignas(nlmsghdr) char buf[32768];
            while (!done)
            {
                ssize_t n = recv(fd, buf, sizeof(buf), 0);
                if (n <= 0)
                {
                    Die(std::string("sock_diag recv: ") + std::strerror(errno));
                }
                for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, n);
                     h = NLMSG_NEXT(h, n))
                {
                    if (h->nlmsg_type == NLMSG_DONE)
                    {
                        done = true;
                        break;
                    }
                    if (h->nlmsg_type == NLMSG_ERROR)
                    {
                        Die("sock_diag: an error answer");
                    }
                    const auto* m = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
                    ScriptSsRow r;
                    r.netid = proto == IPPROTO_TCP ? "tcp" : "udp";
                    // UDP: TCP_ESTABLISHED when connected, else TCP_CLOSE (ss: UNCONN).
                    r.state = m->idiag_state < 12 ? SS_NAMES[m->idiag_state] : "UNKNOWN";
                    r.recvQ = m->idiag_rqueue;
                    r.sendQ = m->idiag_wqueue;
                    r.localAddr = ntohl(m->id.idiag_src[0]);
                    r.localPort = ntohs(m->id.idiag_sport);
                    r.peerAddr = ntohl(m->id.idiag_dst[0]);
                    r.peerPort = ntohs(m->id.idiag_dport);
                    rows.push_back(r);
                }
            }
            close(fd);
        }
        return ScriptSsRowsText(rows);
    }

    /// `counters HOST [NAME...]`: the namespace's /proc/net/snmp and /proc/net/netstat.
    static std::string Counters(const std::vector<std::string>& wanted)
    {
        std::map<std::string, std::string> values;
        for (const char* path : {"/proc/self/net/snmp", "/proc/self/net/netstat"})
        {
            std::ifstream in(path);
            std::string header;
            std::string data;
            while (std::getline(in, header) && std::getline(in, data))
            {
                std::istringstream h(header);
                std::istringstream d(data);
                std::string prefix;
                std::string unused;
                h >> prefix;
                d >> unused;
                prefix.pop_back(); // "Tcp:" -> "Tcp"
                std::string key;
                std::string value;
                while (h >> key && d >> value)
                {
                    values[prefix + key] = value;
                }
            }
        }
        std::vector<std::string> names = wanted.empty() ? ScriptCounterNames() : wanted;
        std::string out;
        for (const auto& n : names)
        {
            auto it = values.find(n);
            out += (out.empty() ? "" : " ") + n + "=" + (it == values.end() ? "?" : it->second);
        }
        return out;
    }

    int m_out;
    std::chrono::steady_clock::time_point m_start;
    std::map<std::string, int> m_hosts;
    std::map<std::string, int> m_links;
    int m_linkCount{1};
    std::map<std::string, KernelSocket> m_sockets;
};

/// Longest real time a script may take beyond its waits.
constexpr int64_t SLACK_NS = int64_t(300) * 1000000000;

} // namespace

bool
KernelScriptsPermitted(std::string& why)
{
    pid_t pid = fork();
    if (pid == 0)
    {
        _exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    {
        why = "this process may not create network namespaces (needs root, or "
              "CAP_SYS_ADMIN, and unshare permitted)";
        return false;
    }
    return true;
}

std::vector<ScriptCheck>
RunKernelScript(const ScriptProgram& program)
{
    std::string why;
    if (!KernelScriptsPermitted(why))
    {
        throw KernelScriptUnavailable(why);
    }
    int64_t budget = SLACK_NS;
    for (const auto& s : program.statements)
    {
        budget += s.verb == ScriptVerb::WAIT ? s.nanoseconds : 0;
    }
    int pipes[2];
    int errs[2];
    if (pipe2(pipes, O_CLOEXEC) != 0 || pipe2(errs, O_CLOEXEC) != 0)
    {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    pid_t pid = fork();
    if (pid == 0)
    {
        close(pipes[0]);
        close(errs[0]);
        try
        {
            KernelWorld world(pipes[1]);
            world.Run(program);
            _exit(0);
        }
        catch (const std::exception& e)
        {
            std::string m = e.what();
            (void)!write(errs[1], m.data(), m.size());
            _exit(1);
        }
    }
    close(pipes[1]);
    close(errs[1]);
    std::string text;
    std::string err;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(budget);
    pollfd fds[2] = {{pipes[0], POLLIN, 0}, {errs[0], POLLIN, 0}};
    int open = 2;
    while (open > 0)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0)
        {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            close(pipes[0]);
            close(errs[0]);
            throw std::runtime_error(program.name + ": the kernel run took too long");
        }
        if (poll(fds, 2, static_cast<int>(std::min<int64_t>(left, 1000))) < 0 && errno != EINTR)
        {
            break;
        }
        for (auto& f : fds)
        {
            if (f.fd >= 0 && (f.revents & (POLLIN | POLLHUP)))
            {
                char buf[4096];
                ssize_t n = read(f.fd, buf, sizeof(buf));
                if (n <= 0)
                {
                    f.fd = -1;
                    --open;
                }
                else
                {
                    (f.fd == pipes[0] ? text : err).append(buf, static_cast<size_t>(n));
                }
            }
        }
    }
    close(pipes[0]);
    close(errs[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    {
        throw std::runtime_error(program.name +
                                 ": the kernel run failed: " + (err.empty() ? "no message" : err));
    }
    std::map<int, std::pair<int64_t, std::string>> byLine;
    std::istringstream lines(text);
    std::string l;
    while (std::getline(lines, l))
    {
        size_t t1 = l.find('\t');
        size_t t2 = l.find('\t', t1 + 1);
        std::string got = l.substr(t2 + 1);
        for (char& c : got)
        {
            c = c == '\x1f' ? '\n' : c;
        }
        byLine[std::stoi(l.substr(0, t1))] = {std::stoll(l.substr(t1 + 1, t2 - t1 - 1)), got};
    }
    std::vector<ScriptCheck> checks;
    for (const auto& s : program.statements)
    {
        if (!s.hasExpectation)
        {
            continue;
        }
        auto it = byLine.find(s.line);
        checks.push_back(it == byLine.end()
                             ? ScriptCheckOf(s, "(not reached)", 0)
                             : ScriptCheckOf(s, it->second.second, it->second.first));
    }
    return checks;
}

} // namespace portlab
