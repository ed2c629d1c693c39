/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "socket-script.h"

#include "lean-point-to-point-helper.h"
#include "linux-errno-name.h"
#include "linux-port-space.h"
#include "linux-stack-helper.h"
#include "linux-tcp-socket.h"
#include "linux-udp-socket.h"
#include "port-table-snapshot.h"
#include "port-types.h"

#include "ns3/boolean.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

#include <deque>
#include <map>
#include <set>
#include <sstream>

namespace portlab
{

using namespace ns3;

namespace
{

const Time HANDSHAKE = MilliSeconds(10);

/// Largest `send`: Linux's MAX_RW_COUNT (INT_MAX & PAGE_MASK), the most one send() moves.
constexpr uint64_t MAX_SEND_BYTES = 2147479552;
/// Longest `wait` (simulated time stays far from ns-3's 64-bit nanosecond limit).
constexpr int64_t MAX_WAIT_NS = 1000000LL * 1000000000LL;
/// Longest one-way `link` delay.
constexpr int64_t MAX_LINK_DELAY_NS = 60LL * 1000000000LL;

/// One parsed statement.
struct Statement
{
    int line;                       //!< 1-based line
    std::string text;               //!< the line as written
    std::vector<std::string> words; //!< the statement
    bool hasExpectation;            //!< "-> X" present
    std::string expected;           //!< X
};

std::vector<std::string>
Words(const std::string& s)
{
    std::vector<std::string> w;
    std::istringstream in(s);
    std::string x;
    while (in >> x)
    {
        w.push_back(x);
    }
    return w;
}

/// Arity of each verb: minimum and maximum number of words after it.
const std::map<std::string, std::pair<size_t, size_t>>&
Verbs()
{
    static const std::map<std::string, std::pair<size_t, size_t>> verbs{{"host", {1, 1}},
                                                                        {"link", {4, 5}},
                                                                        {"sysctl", {2, 3}},
                                                                        {"tcp", {2, 5}},
                                                                        {"udp", {2, 4}},
                                                                        {"bind", {2, 2}},
                                                                        {"listen", {1, 1}},
                                                                        {"connect", {2, 2}},
                                                                        {"accept", {2, 2}},
                                                                        {"send", {2, 2}},
                                                                        {"recv", {1, 1}},
                                                                        {"close", {1, 1}},
                                                                        {"wait", {1, 1}},
                                                                        {"state", {1, 1}},
                                                                        {"port", {1, 1}},
                                                                        {"ss", {1, 1}}};
    return verbs;
}

/// The results a call may give: "ok", portlab's errno names and those ns-3 adds.
bool
IsCallResult(const std::string& w)
{
    Errno e = Errno::OK;
    return ParseErrno(w, e) || w == "EMSGSIZE" || w == "EAFNOSUPPORT" || w == "EBADF" ||
           w == "ENODEV";
}

bool
IsNumber(const std::string& w)
{
    return !w.empty() && w.size() <= 12 && w.find_first_not_of("0123456789") == std::string::npos;
}

/// Why \p expected can never be what \p verb produces ("" if it can).
std::string
ExpectationError(const std::string& verb, const std::string& expected)
{
    std::string errnos;
    for (size_t i = 1; i < static_cast<size_t>(Errno::COUNT); ++i)
    {
        errnos += std::string(errnos.empty() ? "" : ", ") + ErrnoName(static_cast<Errno>(i));
    }
    if (expected == "*")
    {
        return "";
    }
    if ((verb == "state" || verb == "port") && expected == "EBADF")
    {
        return ""; // a closed socket
    }
    if (verb == "state")
    {
        std::string states;
        for (int i = 1; i <= 11; ++i)
        {
            const char* n = TcpStateName(static_cast<TcpState>(i));
            if (expected == n)
            {
                return "";
            }
            states += std::string(states.empty() ? "" : ", ") + n;
        }
        return "allowed after 'state': a TCP state (" + states + "), EBADF or *";
    }
    if (verb == "port")
    {
        return IsNumber(expected) && std::stoull(expected) <= 65535
                   ? ""
                   : "allowed after 'port': a port number 0..65535, EBADF or *";
    }
    if (verb == "ss")
    {
        std::string states;
        for (int i = 1; i <= 11; ++i)
        {
            states += std::string(states.empty() ? "" : ", ") +
                      SsStateName(static_cast<TcpState>(i)) + "=N";
        }
        const std::string allowed =
            "allowed after 'ss': none, or STATE=N words (" + states + ") or *";
        if (expected == "none")
        {
            return "";
        }
        for (const auto& w : Words(expected))
        {
            size_t eq = w.find('=');
            bool known = false;
            for (int i = 1; i <= 11 && eq != std::string::npos; ++i)
            {
                known = known || w.substr(0, eq) == SsStateName(static_cast<TcpState>(i));
            }
            if (!known || !IsNumber(w.substr(eq + 1)))
            {
                return allowed;
            }
        }
        return "";
    }
    if (verb == "recv")
    {
        auto w = Words(expected);
        if (expected == "eof" || IsCallResult(expected) ||
            (w.size() == 2 && IsNumber(w[0]) && w[1] == "bytes"))
        {
            return "";
        }
        return "allowed after 'recv': 'N bytes', eof, an errno name (" + errnos + ") or *";
    }
    return IsCallResult(expected)
               ? ""
               : "allowed after '" + verb + "': ok, an errno name (" + errnos + ") or *";
}

/// The error for statement \p s of script \p name: one line naming it and why.
[[noreturn]] void
StatementError(const std::string& name, const Statement& s, const std::string& why)
{
    throw ConfigError(name + ":" + std::to_string(s.line) + ": '" + s.text + "': " + why);
}

Ipv4Address
ParseAddress(const std::string& name, const Statement& s, const std::string& text)
{
    Ipv4 a = 0;
    if (!ParseIpv4(text, a))
    {
        StatementError(name, s, "'" + text + "' is not an IPv4 address");
    }
    return Ipv4Address(a);
}

InetSocketAddress
ParseEndpoint(const std::string& name, const Statement& s, const std::string& text)
{
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
    {
        StatementError(name, s, "'" + text + "' is not ADDR:PORT");
    }
    int64_t port = 0;
    try
    {
        port = units::ParseInteger(text.substr(colon + 1), 0, 65535);
    }
    catch (const ConfigError& e)
    {
        StatementError(name, s, "port " + std::string(e.what()));
    }
    return InetSocketAddress(ParseAddress(name, s, text.substr(0, colon)),
                             static_cast<uint16_t>(port));
}

/// A duration from 0 to \p max nanoseconds; \p what names it in the error.
int64_t
ParseDuration(const std::string& name,
              const Statement& s,
              const std::string& text,
              int64_t max,
              const std::string& what)
{
    int64_t ns = 0;
    try
    {
        ns = units::ParseDurationNs(text);
    }
    catch (const ConfigError& e)
    {
        StatementError(name, s, e.what());
    }
    if (ns < 0 || ns > max)
    {
        StatementError(name,
                       s,
                       what + " '" + text + "' is out of range; allowed: 0 to " +
                           std::to_string(max / 1000000000) + "s");
    }
    return ns;
}

/// The byte count of `send`: 0 to MAX_SEND_BYTES, plain or with a unit.
uint64_t
ParseSendBytes(const std::string& name, const Statement& s, const std::string& text)
{
    const std::string most = std::to_string(MAX_SEND_BYTES) + " bytes (Linux's MAX_RW_COUNT)";
    const std::string allowed = "allowed: 0 to " + most + ", e.g. 100, 100B, 64KiB";
    // Digits alone are bytes. Too many digits for 64 bits is out of range, not a wrap.
    const bool plain = text.find_first_not_of("0123456789") == std::string::npos;
    if (plain && text.size() > 19)
    {
        StatementError(name, s, "size '" + text + "' is out of range; " + allowed);
    }
    uint64_t bytes = 0;
    try
    {
        bytes = units::ParseBytes(plain ? text + "B" : text);
    }
    catch (const ConfigError& e)
    {
        StatementError(name, s, std::string(e.what()) + ", at most " + most);
    }
    if (bytes > MAX_SEND_BYTES)
    {
        StatementError(name, s, "size '" + text + "' is out of range; " + allowed);
    }
    return bytes;
}

/// The checks of a statement's arguments that need no simulation: addresses, ports,
/// durations and sizes. A script with any of them wrong runs nothing.
void
CheckArguments(const std::string& name, const Statement& s)
{
    const auto& w = s.words;
    if (w[0] == "link")
    {
        ParseAddress(name, s, w[3]);
        ParseAddress(name, s, w[4]);
        if (w.size() > 5)
        {
            ParseDuration(name, s, w[5], MAX_LINK_DELAY_NS, "delay");
        }
    }
    else if (w[0] == "bind" || w[0] == "connect")
    {
        ParseEndpoint(name, s, w[2]);
    }
    else if (w[0] == "send")
    {
        ParseSendBytes(name, s, w[2]);
    }
    else if (w[0] == "wait")
    {
        ParseDuration(name, s, w[1], MAX_WAIT_NS, "wait");
    }
}

/// The script's world: hosts, sockets, accepted connections, and the simulation.
class World
{
  public:
    explicit World(const std::string& name)
        : m_name(name)
    {
    }

    ~World()
    {
        m_sockets.clear();
        m_accepted.clear();
        Simulator::Destroy();
    }

    World(const World&) = delete;
    World& operator=(const World&) = delete;

    [[noreturn]] void Fail(const Statement& s, const std::string& why) const
    {
        StatementError(m_name, s, why);
    }

    std::string Run(const Statement& s)
    {
        const auto& w = s.words;
        const std::string& verb = w[0];
        static const std::set<std::string> onSocket{"bind",
                                                    "listen",
                                                    "connect",
                                                    "accept",
                                                    "send",
                                                    "recv",
                                                    "close",
                                                    "state",
                                                    "port"};
        if (onSocket.count(verb) && m_closed.count(w[1]))
        {
            // The name's descriptor was closed: Linux's fdget() finds nothing.
            return "EBADF";
        }
        if (verb == "host")
        {
            if (m_started)
            {
                Fail(s, "hosts and links come before the first socket call");
            }
            if (m_hosts.count(w[1]))
            {
                Fail(s, "host '" + w[1] + "' is declared twice");
            }
            Ptr<Node> n = CreateObject<Node>();
            LinuxStackHelper().Install(n);
            m_hosts[w[1]] = n;
            m_hostOrder.push_back(w[1]);
            return "ok";
        }
        if (verb == "link")
        {
            if (m_started)
            {
                Fail(s, "hosts and links come before the first socket call");
            }
            Ptr<Node> a = Host(s, w[1]);
            Ptr<Node> b = Host(s, w[2]);
            Ipv4Address aa = Address4(s, w[3]);
            Ipv4Address ba = Address4(s, w[4]);
            LeanPointToPointHelper p2p;
            p2p.SetDeviceAttribute("DataRate", StringValue("10Gbps"));
            int64_t delay = 1000000;
            if (w.size() > 5)
            {
                delay = ParseDuration(m_name, s, w[5], MAX_LINK_DELAY_NS, "delay");
            }
            p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds(delay)));
            NetDeviceContainer d = p2p.Install(a, b);
            Assign(d.Get(0), aa);
            Assign(d.Get(1), ba);
            return "ok";
        }
        if (verb == "sysctl")
        {
            const std::string setting = w[2] + (w.size() > 3 ? " " + w[3] : "");
            auto eq = setting.find('=');
            if (eq == std::string::npos)
            {
                Fail(s, "the setting must be KEY=VALUE");
            }
            std::vector<Ptr<Node>> targets;
            if (w[1] == "*")
            {
                for (const auto& [n, node] : m_hosts)
                {
                    targets.push_back(node);
                }
            }
            else
            {
                targets.push_back(Host(s, w[1]));
            }
            for (auto& node : targets)
            {
                try
                {
                    node->GetObject<LinuxPortSpace>()->Host().Sysctls().Set(setting.substr(0, eq),
                                                                            setting.substr(eq + 1));
                }
                catch (const SysctlError& e)
                {
                    Fail(s, e.what());
                }
            }
            return "ok";
        }
        Start();
        if (verb == "tcp" || verb == "udp")
        {
            if (m_sockets.count(w[2]) && !m_closed.count(w[2]))
            {
                Fail(s, "socket '" + w[2] + "' already exists");
            }
            Ptr<Node> n = Host(s, w[1]);
            Ptr<Socket> k = Socket::CreateSocket(n,
                                                 verb == "tcp" ? TcpSocketFactory::GetTypeId()
                                                               : UdpSocketFactory::GetTypeId());
            for (size_t i = 3; i < w.size(); ++i)
            {
                if (w[i] == "reuseaddr")
                {
                    k->SetAttribute("ReuseAddr", BooleanValue(true));
                }
                else if (w[i] == "reuseport")
                {
                    k->SetAttribute("ReusePort", BooleanValue(true));
                }
                else if (w[i] == "linger0" && verb == "tcp")
                {
                    k->SetAttribute("Linger", BooleanValue(true));
                    k->SetAttribute("LingerTime", TimeValue(Seconds(0)));
                }
                else
                {
                    Fail(s,
                         "unknown option '" + w[i] + "'; allowed: reuseaddr, reuseport" +
                             (verb == "tcp" ? ", linger0" : ""));
                }
            }
            Socket* key = PeekPointer(k);
            k->SetAcceptCallback(
                MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                Callback<void, Ptr<Socket>, const Address&>(
                    [this, key](Ptr<Socket> c, const Address&) { m_accepted[key].push_back(c); }));
            m_sockets[w[2]] = k;
            m_closed.erase(w[2]); // a closed name may name a new socket
            return "ok";
        }
        if (verb == "bind")
        {
            Ptr<Socket> k = Sock(s, w[1]);
            return k->Bind(Endpoint(s, w[2])) == 0 ? "ok" : SocketErrnoName(k);
        }
        if (verb == "listen")
        {
            Ptr<Socket> k = Sock(s, w[1]);
            return k->Listen() == 0 ? "ok" : SocketErrnoName(k);
        }
        if (verb == "connect")
        {
            Ptr<Socket> k = Sock(s, w[1]);
            if (k->Connect(Endpoint(s, w[2])) != 0)
            {
                return SocketErrnoName(k);
            }
            Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(k);
            if (!t)
            {
                return "ok";
            }
            Advance(HANDSHAKE);
            if (t->GetTcpState() == TcpState::ESTABLISHED)
            {
                return "ok";
            }
            if (t->GetTcpState() == TcpState::SYN_SENT)
            {
                return "EINPROGRESS";
            }
            // The handshake failed: connect() reports sk_err and clears it (sock_error()).
            Errno e = t->TakeSocketError();
            return e == Errno::OK ? SocketErrnoName(t) : ErrnoName(e);
        }
        if (verb == "accept")
        {
            Ptr<Socket> l = Sock(s, w[1]);
            if (m_sockets.count(w[2]) && !m_closed.count(w[2]))
            {
                Fail(s, "socket '" + w[2] + "' already exists");
            }
            auto& q = m_accepted[PeekPointer(l)];
            if (q.empty())
            {
                return "EAGAIN";
            }
            m_sockets[w[2]] = q.front();
            m_closed.erase(w[2]);
            q.pop_front();
            return "ok";
        }
        if (verb == "send")
        {
            Ptr<Socket> k = Sock(s, w[1]);
            const uint64_t bytes = ParseSendBytes(m_name, s, w[2]);
            Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(k);
            if (t && t->GetTxAvailable() < bytes &&
                (t->GetTcpState() == TcpState::ESTABLISHED ||
                 t->GetTcpState() == TcpState::CLOSE_WAIT))
            {
                // A blocking send() of more than the send buffer would wait; the script does
                // not: it is a statement it cannot run, not a result.
                Fail(s,
                     "size '" + w[2] + "' is more than the " + std::to_string(t->GetTxAvailable()) +
                         " bytes free in the send buffer; allowed: 0 to " +
                         std::to_string(t->GetTxAvailable()) + " bytes here");
            }
            return k->Send(Create<Packet>(static_cast<uint32_t>(bytes))) >= 0 ? "ok"
                                                                              : SocketErrnoName(k);
        }
        if (verb == "recv")
        {
            Ptr<Socket> k = Sock(s, w[1]);
            uint64_t bytes = 0;
            bool eof = false;
            while (Ptr<Packet> p = k->Recv())
            {
                if (p->GetSize() == 0)
                {
                    eof = true;
                    break;
                }
                bytes += p->GetSize();
            }
            if (bytes > 0)
            {
                return std::to_string(bytes) + " bytes";
            }
            if (eof)
            {
                return "eof";
            }
            std::string e = SocketErrnoName(k);
            return e == "ok" ? "EAGAIN" : e;
        }
        if (verb == "close")
        {
            Ptr<Socket> k = Sock(s, w[1]);
            m_closed.insert(w[1]);
            return k->Close() == 0 ? "ok" : SocketErrnoName(k);
        }
        if (verb == "wait")
        {
            Advance(NanoSeconds(ParseDuration(m_name, s, w[1], MAX_WAIT_NS, "wait")));
            return "ok";
        }
        if (verb == "state")
        {
            Ptr<LinuxTcpSocket> t = DynamicCast<LinuxTcpSocket>(Sock(s, w[1]));
            if (!t)
            {
                Fail(s, "state needs a TCP socket");
            }
            return TcpStateName(t->GetTcpState());
        }
        if (verb == "port")
        {
            Address a;
            Sock(s, w[1])->GetSockName(a);
            return std::to_string(InetSocketAddress::ConvertFrom(a).GetPort());
        }
        if (verb == "ss")
        {
            std::string out;
            for (const auto& [state, count] :
                 CountTcpStates(Host(s, w[1])->GetObject<LinuxPortSpace>()->Host()))
            {
                out += (out.empty() ? "" : " ") + state + "=" + std::to_string(count);
            }
            return out.empty() ? "none" : out;
        }
        Fail(s, "unknown statement");
    }

  private:
    void Start()
    {
        if (m_started)
        {
            return;
        }
        m_started = true;
        NodeContainer all;
        for (const auto& n : m_hostOrder)
        {
            all.Add(m_hosts[n]);
        }
        LinuxStackHelper().AssignStreams(all, 1);
        Ipv4GlobalRoutingHelper::PopulateRoutingTables();
        Advance(Seconds(0)); // ns-3 initialises nodes at time 0
    }

    static void Advance(Time t)
    {
        Simulator::Stop(t);
        Simulator::Run();
    }

    Ptr<Node> Host(const Statement& s, const std::string& name)
    {
        auto it = m_hosts.find(name);
        if (it == m_hosts.end())
        {
            Fail(s, "no host named '" + name + "' (declare it with: host " + name + ")");
        }
        return it->second;
    }

    Ptr<Socket> Sock(const Statement& s, const std::string& name)
    {
        auto it = m_sockets.find(name);
        if (it == m_sockets.end())
        {
            Fail(s, "no socket named '" + name + "'");
        }
        return it->second;
    }

    Ipv4Address Address4(const Statement& s, const std::string& text)
    {
        return ParseAddress(m_name, s, text);
    }

    InetSocketAddress Endpoint(const Statement& s, const std::string& text)
    {
        return ParseEndpoint(m_name, s, text);
    }

    static void Assign(Ptr<NetDevice> dev, Ipv4Address a)
    {
        Ptr<ns3::Ipv4> ipv4 = dev->GetNode()->GetObject<ns3::Ipv4>();
        int32_t i = ipv4->AddInterface(dev);
        ipv4->AddAddress(i, Ipv4InterfaceAddress(a, Ipv4Mask("255.255.255.0")));
        ipv4->SetUp(i);
    }

    std::string m_name;
    bool m_started{false};
    std::map<std::string, Ptr<Node>> m_hosts;
    std::vector<std::string> m_hostOrder;
    std::map<std::string, Ptr<Socket>> m_sockets;
    std::set<std::string> m_closed; //!< names whose socket the script closed
    std::map<Socket*, std::deque<Ptr<Socket>>> m_accepted;
};

} // namespace

std::vector<ScriptCheck>
RunSocketScript(const std::string& text, const std::string& name, uint64_t seed)
{
    // Parse every line first: a script with a syntax error runs nothing.
    std::vector<Statement> statements;
    std::istringstream in(text);
    std::string raw;
    int lineNo = 0;
    while (std::getline(in, raw))
    {
        ++lineNo;
        std::string line = raw.substr(0, raw.find('#'));
        Statement s{lineNo, "", {}, false, ""};
        auto arrow = line.find("->");
        if (arrow != std::string::npos)
        {
            auto exp = Words(line.substr(arrow + 2));
            if (exp.empty())
            {
                throw ConfigError(name + ":" + std::to_string(lineNo) +
                                  ": '->' needs an expected result after it");
            }
            s.hasExpectation = true;
            for (const auto& e : exp)
            {
                s.expected += (s.expected.empty() ? "" : " ") + e;
            }
            line = line.substr(0, arrow);
        }
        s.words = Words(line);
        if (s.words.empty())
        {
            if (s.hasExpectation)
            {
                throw ConfigError(name + ":" + std::to_string(lineNo) +
                                  ": an expectation needs a statement before '->'");
            }
            continue;
        }
        for (const auto& w : s.words)
        {
            s.text += (s.text.empty() ? "" : " ") + w;
        }
        auto verb = Verbs().find(s.words[0]);
        if (verb == Verbs().end())
        {
            std::string allowed;
            for (const auto& [v, arity] : Verbs())
            {
                allowed += (allowed.empty() ? "" : ", ") + v;
            }
            throw ConfigError(name + ":" + std::to_string(lineNo) + ": unknown statement '" +
                              s.words[0] + "'; allowed: " + allowed);
        }
        size_t args = s.words.size() - 1;
        if (args < verb->second.first || args > verb->second.second)
        {
            throw ConfigError(name + ":" + std::to_string(lineNo) + ": '" + s.words[0] +
                              "' takes " + std::to_string(verb->second.first) +
                              (verb->second.second != verb->second.first
                                   ? " to " + std::to_string(verb->second.second)
                                   : std::string()) +
                              " arguments, got " + std::to_string(args));
        }
        if (s.hasExpectation)
        {
            std::string why = ExpectationError(s.words[0], s.expected);
            if (!why.empty())
            {
                throw ConfigError(name + ":" + std::to_string(lineNo) + ": '" + s.text + " -> " +
                                  s.expected + "': '" + s.expected +
                                  "' is not a result it can give; " + why);
            }
        }
        CheckArguments(name, s);
        statements.push_back(s);
    }
    RngSeedManager::SetSeed(1);
    RngSeedManager::SetRun(seed);
    World world(name);
    std::vector<ScriptCheck> checks;
    for (const auto& s : statements)
    {
        std::string got = world.Run(s);
        if (s.hasExpectation)
        {
            checks.push_back(ScriptCheck{s.line,
                                         s.text,
                                         s.expected,
                                         got,
                                         s.expected == "*" || got == s.expected});
        }
    }
    return checks;
}

} // namespace portlab
