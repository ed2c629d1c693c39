/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "port-questions.h"

#include "port-table-snapshot.h"
#include "table-driver.h"

namespace portlab
{

namespace
{

constexpr uint16_t SERVICE_PORT = 8080;

/// An experiment's host with its settings and a log of calls.
class Experiment
{
  public:
    Experiment(uint64_t seed, const std::vector<std::pair<std::string, std::string>>& sysctls)
        : m_driver(seed)
    {
        for (const auto& [name, value] : sysctls)
        {
            m_driver.Sysctl(name, value);
        }
    }

    TableDriver& D()
    {
        return m_driver;
    }

    Errno Log(const std::string& call, Errno e)
    {
        m_evidence.push_back(call + " = " + ErrnoName(e));
        return e;
    }

    void Note(const std::string& line)
    {
        m_evidence.push_back(line);
    }

    PortQuestionAnswer Finish(std::string question, std::string answer, bool matches)
    {
        PortQuestionAnswer a;
        a.question = std::move(question);
        a.linuxAnswer = std::move(answer);
        a.evidence = std::move(m_evidence);
        a.matchesLinux = matches;
        a.ssTable = FormatSs(SnapshotSockets(m_driver.Host()));
        return a;
    }

  private:
    TableDriver m_driver;
    std::vector<std::string> m_evidence;
};

PortQuestionAnswer
TcpAndUdpSamePort(uint64_t seed, const std::vector<std::pair<std::string, std::string>>& s)
{
    Experiment x(seed, s);
    auto& tcp = x.D().Tcp();
    auto& udp = x.D().Udp();
    SocketId t = tcp.Open();
    SocketId u = udp.Open();
    Errno tb = x.Log("tcp bind 0.0.0.0:8080", tcp.Bind(t, ADDR_ANY, SERVICE_PORT));
    Errno tl = x.Log("tcp listen", tcp.Listen(t, DEFAULT_BACKLOG));
    Errno ub = x.Log("udp bind 0.0.0.0:8080", udp.Bind(u, ADDR_ANY, SERVICE_PORT));
    return x.Finish("Can TCP and UDP bind the same port?",
                    "yes: separate tables",
                    tb == Errno::OK && tl == Errno::OK && ub == Errno::OK);
}

PortQuestionAnswer
SeveralServers(uint64_t seed, const std::vector<std::pair<std::string, std::string>>& s)
{
    Experiment x(seed, s);
    auto& tcp = x.D().Tcp();
    SocketId a = x.D().TcpSocket();
    SocketId b = x.D().TcpSocket();
    x.Log("server A bind 127.0.0.1:8080", tcp.Bind(a, LO1, SERVICE_PORT));
    x.Log("server A listen", tcp.Listen(a, DEFAULT_BACKLOG));
    Errno same = x.Log("server B bind 127.0.0.1:8080", tcp.Bind(b, LO1, SERVICE_PORT));
    Errno other = x.Log("server B bind 127.0.0.2:8080", tcp.Bind(b, LO2, SERVICE_PORT));
    x.Log("server B listen", tcp.Listen(b, DEFAULT_BACKLOG));
    SocketId r[3];
    Errno group = Errno::OK;
    for (int i = 0; i < 3; ++i)
    {
        r[i] = x.D().TcpSocket(false, true);
        Errno e = x.Log("reuseport server " + std::to_string(i + 1) + " bind 127.0.0.1:9090",
                        tcp.Bind(r[i], LO1, SERVICE_PORT + 1010));
        group = e != Errno::OK ? e : group;
        tcp.Listen(r[i], DEFAULT_BACKLOG);
    }
    int got[3] = {0, 0, 0};
    const int connections = 300;
    for (int i = 0; i < connections; ++i)
    {
        SocketId c = tcp.Open();
        SocketId l = INVALID_ID;
        x.D().Connect(c, LO1, SERVICE_PORT + 1010, nullptr, &l);
        for (int k = 0; k < 3; ++k)
        {
            got[k] += l == r[k] ? 1 : 0;
        }
    }
    x.Note("300 connections to the reuseport group: " + std::to_string(got[0]) + " / " +
           std::to_string(got[1]) + " / " + std::to_string(got[2]));
    bool balanced = true;
    for (int n : got)
    {
        balanced = balanced && n > connections / 3 / 2;
    }
    return x.Finish("Can several TCP server processes bind one port?",
                    "not by default (EADDRINUSE); different specific addresses yes; "
                    "SO_REUSEPORT groups yes, with load balancing",
                    same == Errno::ADDRINUSE && other == Errno::OK && group == Errno::OK &&
                        balanced);
}

PortQuestionAnswer
ServerRestart(uint64_t seed, const std::vector<std::pair<std::string, std::string>>& s)
{
    Experiment x(seed, s);
    bool matches = true;
    for (bool oldReuse : {false, true})
    {
        for (bool newReuse : {false, true})
        {
            TableDriver& d = x.D();
            auto& tcp = d.Tcp();
            SocketId ls = d.TcpSocket(oldReuse);
            tcp.Bind(ls, LO1, SERVICE_PORT);
            tcp.Listen(ls, DEFAULT_BACKLOG);
            SocketId c = tcp.Open();
            SocketId a = INVALID_ID;
            d.Connect(c, LO1, SERVICE_PORT, &a);
            d.CloseInOrder(a, c, NS_PER_MS); // the server closes first: server-side TIME_WAIT
            tcp.Destroy(ls);
            SocketId fresh = d.TcpSocket(newReuse);
            std::string label = std::string("restart: old SO_REUSEADDR=") + (oldReuse ? "1" : "0") +
                                ", new SO_REUSEADDR=" + (newReuse ? "1" : "0") +
                                ", bind 127.0.0.1:8080";
            Errno e = x.Log(label, tcp.Bind(fresh, LO1, SERVICE_PORT));
            matches = matches && (e == ((oldReuse && newReuse) ? Errno::OK : Errno::ADDRINUSE));
            tcp.Destroy(fresh);
            d.Sleep(d.Host().Sysctls().TimewaitLen()); // let the TIME_WAIT go before the next
        }
    }
    return x.Finish("Why does a restarted server fail with \"Address already in use\"?",
                    "server-side TIME_WAIT; SO_REUSEADDR fixes it only when both old and new "
                    "sockets set it",
                    matches);
}

PortQuestionAnswer
ClientPortReuse(uint64_t seed, const std::vector<std::pair<std::string, std::string>>& s)
{
    std::vector<std::pair<std::string, std::string>> settings = s;
    settings.emplace_back("net.ipv4.ip_local_port_range", "40000 40000");
    Experiment x(seed, settings);
    TableDriver& d = x.D();
    auto& tcp = d.Tcp();
    x.Note("ip_local_port_range = 40000 40000 (one ephemeral port)");
    d.Listener(LO1, SERVICE_PORT);
    d.Listener(LO2, SERVICE_PORT);
    SocketId c1 = tcp.Open();
    SocketId c2 = tcp.Open();
    SocketId c3 = tcp.Open();
    Errno e1 = x.Log("connect 127.0.0.1:8080", d.Connect(c1, LO1, SERVICE_PORT));
    Errno e2 = x.Log("connect 127.0.0.2:8080", d.Connect(c2, LO2, SERVICE_PORT));
    Errno e3 = x.Log("connect 127.0.0.1:8080 again", d.Connect(c3, LO1, SERVICE_PORT));
    x.Note("local ports: " + std::to_string(tcp.GetTuple(c1).localPort) + ", " +
           std::to_string(tcp.GetTuple(c2).localPort));
    SocketId b = tcp.Open();
    Errno eb = x.Log("bind(0) before connect", tcp.Bind(b, ADDR_ANY, 0));
    bool matches = e1 == Errno::OK && e2 == Errno::OK && e3 == Errno::ADDRNOTAVAIL &&
                   eb == Errno::ADDRINUSE &&
                   tcp.GetTuple(c1).localPort == tcp.GetTuple(c2).localPort;
    return x.Finish("Can a client reuse a local port?",
                    "yes, towards different destinations: the 4-tuple must be unique; an explicit "
                    "bind() before connect() takes that away",
                    matches);
}

PortQuestionAnswer
TimeWaitExhaustion(uint64_t seed, const std::vector<std::pair<std::string, std::string>>& s)
{
    std::vector<std::pair<std::string, std::string>> settings = s;
    settings.emplace_back("net.ipv4.ip_local_port_range", "40000 40009");
    settings.emplace_back("net.ipv4.tcp_tw_reuse", "0");
    Experiment x(seed, settings);
    TableDriver& d = x.D();
    auto& tcp = d.Tcp();
    x.Note("ip_local_port_range = 40000 40009, tcp_tw_reuse = 0; the client closes first");
    d.Listener(LO1, SERVICE_PORT);
    d.Listener(LO1, SERVICE_PORT + 1);
    int okOne = 0;
    int okTwo = 0;
    for (int i = 0; i < 25; ++i)
    {
        SocketId c = tcp.Open();
        SocketId a = INVALID_ID;
        if (d.Connect(c, LO1, SERVICE_PORT, &a) == Errno::OK)
        {
            ++okOne;
            d.CloseInOrder(c, a, NS_PER_MS);
        }
        else
        {
            tcp.Destroy(c);
        }
    }
    x.Note("one destination: " + std::to_string(okOne) + " of 25 connects succeed, " +
           std::to_string(tcp.TimeWaitCount()) + " TIME_WAIT");
    for (int i = 0; i < 25; ++i)
    {
        SocketId c = tcp.Open();
        SocketId a = INVALID_ID;
        if (d.Connect(c, LO1, SERVICE_PORT + 1, &a) == Errno::OK)
        {
            ++okTwo;
            d.CloseInOrder(c, a, NS_PER_MS);
        }
        else
        {
            tcp.Destroy(c);
        }
    }
    x.Note("a second destination: " + std::to_string(okTwo) + " more succeed");
    SocketId late = tcp.Open();
    d.Sleep(d.Host().Sysctls().TimewaitLen());
    Errno after = x.Log("connect after the TIME_WAIT length", d.Connect(late, LO1, SERVICE_PORT));
    return x.Finish("Do many client TIME_WAITs exhaust ports?",
                    "only towards the same destination; tcp_tw_reuse, the range size and "
                    "tcp_max_tw_buckets change the answer",
                    okOne == 10 && okTwo == 10 && after == Errno::OK);
}

} // namespace

std::vector<PortQuestionAnswer>
AnswerPortQuestions(uint64_t seed, const std::vector<std::pair<std::string, std::string>>& sysctls)
{
    return {TcpAndUdpSamePort(seed, sysctls),
            SeveralServers(seed, sysctls),
            ServerRestart(seed, sysctls),
            ClientPortReuse(seed, sysctls),
            TimeWaitExhaustion(seed, sysctls)};
}

} // namespace portlab
