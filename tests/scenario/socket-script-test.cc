/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "config-error-of.h"
#include "scenario/scenario-config.h"
#include "script/socket-script.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

using test::Has;

/// The error a malformed script gives ("" if it runs).
std::string
ErrorOf(const std::string& script)
{
    return test::ErrorOf([&]() { RunSocketScript(script, "t.pcs"); });
}

TEST(SocketScript, AWrongExpectationIsReportedWithWhatHappened)
{
    auto checks = RunSocketScript("host h\n"
                                  "tcp h a\n"
                                  "tcp h b\n"
                                  "bind a 127.0.0.1:8888 -> ok\n"
                                  "bind b 127.0.0.1:8888 -> ok   # wrong: Linux says EADDRINUSE\n"
                                  "port a -> *\n",
                                  "t.pcs");
    ASSERT_EQ(checks.size(), 3u);
    EXPECT_TRUE(checks[0].ok);
    EXPECT_FALSE(checks[1].ok) << "the mismatch must be reported";
    EXPECT_EQ(checks[1].line, 5);
    EXPECT_EQ(checks[1].expected, "ok");
    EXPECT_EQ(checks[1].got, "EADDRINUSE");
    EXPECT_TRUE(checks[2].ok) << "'*' records without checking";
    EXPECT_EQ(checks[2].got, "8888");
}

TEST(SocketScript, MalformedScriptsAreErrorsNamingTheLine)
{
    EXPECT_TRUE(Has(ErrorOf("host h\nfrobnicate h\n"), "t.pcs:2: unknown statement 'frobnicate'"));
    EXPECT_TRUE(Has(ErrorOf("host h\nfrobnicate h\n"), "allowed: accept, bind"));
    EXPECT_TRUE(Has(ErrorOf("bind a\n"), "t.pcs:1: 'bind' takes 2 arguments, got 1"));
    EXPECT_TRUE(Has(ErrorOf("host h\ntcp x s\n"), "no host named 'x'"));
    EXPECT_TRUE(Has(ErrorOf("host h\nlisten s\n"), "no socket named 's'"));
    EXPECT_TRUE(Has(ErrorOf("host h\ntcp h s\nbind s 1.2.3:80\n"), "is not an IPv4 address"));
    EXPECT_TRUE(Has(ErrorOf("host h\ntcp h s\nbind s 127.0.0.1:99999\n"), "0 to 65535"));
    EXPECT_TRUE(Has(ErrorOf("host h\nwait 10\n"), "not a duration"));
    EXPECT_TRUE(Has(ErrorOf("host h\nsysctl h tcp_tw_reuse=7\n"), "net.ipv4.tcp_tw_reuse"));
    EXPECT_TRUE(Has(ErrorOf("host h\ntcp h s fast\n"), "unknown option 'fast'"));
    EXPECT_TRUE(Has(ErrorOf("host h\ntcp h s\nhost g\n"), "before the first socket call"));
    EXPECT_TRUE(Has(ErrorOf("host h\nbind -> ok\n"), "'bind' takes"));
    EXPECT_TRUE(Has(ErrorOf("host h\n-> ok\n"), "needs a statement before '->'"));
    EXPECT_TRUE(Has(ErrorOf("host h\ntcp h s ->\n"), "needs an expected result"));
}

TEST(SocketScript, ASyntaxErrorAnywhereRunsNothing)
{
    // The error on line 3 is found before line 2 runs: no half-run scripts.
    std::string e = ErrorOf("host h\nwait 1s\nbogus\n");
    EXPECT_TRUE(Has(e, "t.pcs:3:")) << e;
}

/// The result of each check, in order, as "got" texts.
std::vector<std::string>
Results(const std::string& script)
{
    std::vector<std::string> got;
    for (const auto& c : RunSocketScript(script, "t.pcs"))
    {
        got.push_back(c.got);
    }
    return got;
}

TEST(SocketScript, EveryCallOnAClosedSocketIsEbadfNotACrash)
{
    // Linux: close() ends the descriptor; every later call on it is EBADF.
    const std::vector<std::string> ebadf(9, "EBADF");
    EXPECT_EQ(Results("host h\ntcp h s\nclose s\n"
                      "bind s 127.0.0.1:80 -> *\nlisten s -> *\nconnect s 127.0.0.1:80 -> *\n"
                      "accept s x -> *\nsend s 1 -> *\nrecv s -> *\nclose s -> *\n"
                      "state s -> *\nport s -> *\n"),
              ebadf)
        << "bind, listen, connect, accept, send, recv, close, state and port after 'close s' "
           "should each give EBADF";
    EXPECT_EQ(Results("host h\nudp h u\nclose u\nbind u 127.0.0.1:80 -> *\n"
                      "connect u 127.0.0.1:80 -> *\nsend u 1 -> *\nrecv u -> *\nport u -> *\n"),
              std::vector<std::string>(5, "EBADF"))
        << "a closed UDP socket should give EBADF too";
}

TEST(SocketScript, ASocketThatReachedCloseWithoutCloseAnswersAsLinuxDoes)
{
    // Linux 6.18 (tests/data/kernel-checks/closed-and-odd-addresses.out).
    EXPECT_EQ(Results("host h\ntcp h ls linger0\nbind ls 127.0.0.1:8000\nlisten ls\ntcp h c\n"
                      "connect c 127.0.0.1:8000\naccept ls a\nclose a\nwait 10ms\n"
                      "state c -> *\nsend c 1 -> *\nsend c 1 -> *\nrecv c -> *\n"
                      "listen c -> *\nconnect c 127.0.0.1:8000 -> *\nbind c 127.0.0.1:0 -> *\n"),
              (std::vector<
                  std::string>{"CLOSE", "ECONNRESET", "EPIPE", "eof", "EINVAL", "EISCONN", "ok"}))
        << "after a reset: the error once, then EPIPE and EOF; listen EINVAL, connect EISCONN, "
           "bind ok";
    EXPECT_EQ(Results("host h\ntcp h r\nconnect r 127.0.0.1:7777 -> *\nsend r 1 -> *\n"
                      "recv r -> *\nconnect r 127.0.0.1:7777 -> *\nlisten r -> *\n"),
              (std::vector<std::string>{"ECONNREFUSED", "EPIPE", "ENOTCONN", "ECONNREFUSED", "ok"}))
        << "after a refused connect: send EPIPE, recv ENOTCONN, connect tries again, listen ok";
}

TEST(SocketScript, ConnectToMulticastOrBroadcastGivesLinuxsErrnoNotACrash)
{
    EXPECT_EQ(
        Results("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2\n"
                "tcp h t\nconnect t 224.0.0.1:80 -> *\n"
                "udp h u\nconnect u 224.0.0.1:80 -> *\n"
                "tcp h t2\nconnect t2 255.255.255.255:80 -> *\n"
                "udp h u2\nconnect u2 10.1.1.255:80 -> *\n"
                "tcp h b\nbind b 224.0.0.1:80 -> *\n"),
        (std::vector<std::string>{"ENETUNREACH", "ENETUNREACH", "ENETUNREACH", "EACCES", "ok"}))
        << "TCP and UDP connect to multicast and limited broadcast should be ENETUNREACH, UDP "
           "to the subnet broadcast EACCES, TCP bind to multicast ok (Linux 6.18)";
}

TEST(SocketScript, SizesAndDurationsOutOfRangeAreErrorsNamingTheValueAndWhatIsAllowed)
{
    EXPECT_TRUE(Has(ErrorOf("host h\ntcp h s\nsend s 4GiB\n"),
                    "t.pcs:3: 'send s 4GiB': size '4GiB' is out of range; allowed: 0 to "
                    "2147479552 bytes"))
        << "4 GiB must be refused, not sent as 0 bytes";
    EXPECT_TRUE(
        Has(ErrorOf("host h\ntcp h s\nsend s 4294967396B\n"), "size '4294967396B' is out of range"))
        << "2^32 + 100 bytes must be refused, not sent as 100";
    EXPECT_TRUE(Has(ErrorOf("host h\ntcp h s\nsend s 99999999999999999999\n"),
                    "size '99999999999999999999' is out of range"));
    EXPECT_TRUE(Has(ErrorOf("host h\nwait 1000001s\n"),
                    "t.pcs:2: 'wait 1000001s': wait '1000001s' is out of range; allowed: 0 to "
                    "1000000s"));
    EXPECT_TRUE(Has(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 2min\n"),
                    "delay '2min' is out of range; allowed: 0 to 60s"));
    // Found before anything runs, as a syntax error is.
    EXPECT_TRUE(Has(ErrorOf("host h\nwait 1s\ntcp h s\nsend s 4GiB\n"), "t.pcs:4:"));
}

TEST(SocketScript, TcpSynRetriesSetInAScriptDecidesWhenConnectGivesUp)
{
    // Linux 6.18 with tcp_syn_retries=2: ETIMEDOUT 7 s after the first SYN
    // (tests/data/kernel-checks/syn-retries.out); before the fix the setting was ignored and
    // the connect went on to 127 s.
    EXPECT_EQ(Results("host a\nhost b\nlink a b 10.1.1.1 10.1.1.2\n"
                      "sysctl a net.ipv4.tcp_syn_retries=2\ntcp a c nonblock\n"
                      "connect c 10.1.1.3:80 -> *\nwait 6990ms\nstate c -> *\nwait 10ms\n"
                      "state c -> *\ngetsockopt c SO_ERROR -> *\n"),
              (std::vector<std::string>{"EINPROGRESS", "SYN_SENT", "CLOSE", "ETIMEDOUT"}))
        << "with tcp_syn_retries=2 connect() should give up at 7 s";
}

// --- ss rows, counters, check times, link rate and loss -------------------------------------

TEST(SocketScript, SsRowsListEachSocketWithItsQueuesLikeSsTuan)
{
    // Linux 6.18 shows the same (tests/data/scripts/observe-a-connection.pcs on the kernel):
    // a listener's Recv-Q is its accept queue and Send-Q its backlog; a SYN not yet
    // acknowledged is 1 byte of Send-Q; unread bytes are Recv-Q.
    auto got = Results("host h\nsysctl h ip_local_port_range=40000 40000\n"
                       "tcp h l\nbind l 127.0.0.1:80\nlisten l 3\n"
                       "tcp h c\nconnect c 127.0.0.1:80\nsend c 7\nwait 10ms\n"
                       "udp h u\nbind u 0.0.0.0:53\nudp h v\nconnect v 127.0.0.1:53\n"
                       "ss h rows -> *\nss h rows udp -> *\nss h -> *\n");
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0],
              "tcp LISTEN 1 3 127.0.0.1:80 0.0.0.0:*\n"
              "tcp ESTAB 7 0 127.0.0.1:80 127.0.0.1:40000\n"
              "tcp ESTAB 0 0 127.0.0.1:40000 127.0.0.1:80\n"
              "udp UNCONN 0 0 0.0.0.0:53 0.0.0.0:*\n"
              "udp ESTAB 0 0 127.0.0.1:40000 127.0.0.1:53")
        << "rows in the documented order: tcp first, then by local and peer address and port";
    EXPECT_EQ(got[1],
              "udp UNCONN 0 0 0.0.0.0:53 0.0.0.0:*\nudp ESTAB 0 0 127.0.0.1:40000 127.0.0.1:53");
    EXPECT_EQ(got[2], "LISTEN=1 ESTAB=2") << "the count form is unchanged";
    EXPECT_EQ(Results("host h\nss h rows -> *\n"), std::vector<std::string>{"none"});
}

TEST(SocketScript, CountersCountWhatLinuxCountsPerHost)
{
    // Values recorded on Linux 6.18 in a fresh network namespace for the same calls.
    auto got = Results("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2\n"
                       "tcp g l\nbind l 10.1.1.2:80\nlisten l\n"
                       "tcp h c\nconnect c 10.1.1.2:80\ntcp h r\nconnect r 10.1.1.2:81\n"
                       "udp h u\nsendto u 10.1.1.2:53 10\nwait 10ms\n"
                       "counters h -> *\ncounters g -> *\n"
                       "counters g TcpPassiveOpens TcpOutRsts UdpNoPorts -> *\n");
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0],
              "TcpActiveOpens=2 TcpPassiveOpens=0 TcpAttemptFails=1 TcpEstabResets=0 "
              "TcpCurrEstab=1 TcpOutRsts=0 TcpExtTW=0 TcpExtTWKilled=0 TcpExtTWRecycled=0 "
              "TcpExtTCPTimeWaitOverflow=0 TcpExtListenOverflows=0 TcpExtListenDrops=0 "
              "UdpNoPorts=0 UdpInDatagrams=0 UdpOutDatagrams=1")
        << "the client: two connects, one refused, one datagram out";
    EXPECT_EQ(got[2], "TcpPassiveOpens=1 TcpOutRsts=1 UdpNoPorts=1")
        << "the server host: its own counters, in the order named";
}

TEST(SocketScript, ExpectationBlocksMatchRowsInAnyOrderWithWildcards)
{
    auto checks = RunSocketScript("host h\ntcp h l\nbind l 127.0.0.1:80\nlisten l\n"
                                  "tcp h c\nconnect c 127.0.0.1:80\n"
                                  "ss h rows tcp ->\n"
                                  "  | tcp ESTAB 0 0 127.0.0.1:* 127.0.0.1:80   # any order\n"
                                  "  | * LISTEN * 4096 127.0.0.1:80 *\n"
                                  "\n"
                                  "  | tcp ESTAB 0 0 127.0.0.1:80 127.0.0.1:32768-60999\n"
                                  "ss h rows tcp ->\n"
                                  "  | tcp LISTEN 0 4096 127.0.0.1:80 0.0.0.0:*\n"
                                  "counters h TcpActiveOpens TcpCurrEstab -> "
                                  "TcpActiveOpens=1 TcpCurrEstab=*\n",
                                  "t.pcs");
    ASSERT_EQ(checks.size(), 3u);
    EXPECT_TRUE(checks[0].ok) << checks[0].got;
    EXPECT_EQ(checks[0].line, 7) << "a block's check is the line of its statement";
    EXPECT_FALSE(checks[1].ok) << "one row where there are three must not match";
    EXPECT_TRUE(checks[2].ok) << "NAME=* matches any value";
    EXPECT_TRUE(ScriptResultMatches("a 1\nb 2", "b 2\na 1"));
    EXPECT_FALSE(ScriptResultMatches("a *\na *", "a 1\nb 2"))
        << "each expected row needs a row of its own";
    EXPECT_TRUE(ScriptResultMatches("tcp X 10.0.0.1:40000-40009", "tcp X 10.0.0.1:40003"));
    EXPECT_FALSE(ScriptResultMatches("tcp X 10.0.0.1:40000-40009", "tcp X 10.0.0.1:50000"));
}

TEST(SocketScript, BadSsRowsCountersAndLinkOptionsAreOneLineErrors)
{
    EXPECT_TRUE(Has(ErrorOf("host h\nss h columns\n"),
                    "t.pcs:2: 'ss h columns': 'columns' is not allowed; allowed: ss HOST, ss "
                    "HOST rows"));
    EXPECT_TRUE(Has(ErrorOf("host h\nss h rows sctp\n"), "allowed: tcp or udp"));
    EXPECT_TRUE(Has(ErrorOf("host h\nss h rows -> tcp LISTEN 0\n"),
                    "row 1: a row is 6 fields (NETID STATE RECV-Q SEND-Q LOCAL PEER), got 3"));
    EXPECT_TRUE(Has(ErrorOf("host h\nss h rows ->\n  | tcp LISTENING 0 0 1.2.3.4:1 *\n"),
                    "state 'LISTENING': allowed LISTEN"));
    EXPECT_TRUE(Has(ErrorOf("host h\nss h rows ->\n  | tcp LISTENING 0 0 1.2.3.4:1 *\n"),
                    "'ss h rows -> tcp LISTENING 0 0 1.2.3.4:1 *'"))
        << "the error stays one line";
    EXPECT_TRUE(Has(ErrorOf("host h\nss h rows ->\n"), "(or '| ROW' lines below it)"));
    EXPECT_TRUE(Has(ErrorOf("host h\n  | tcp LISTEN 0 0 * *\n"),
                    "t.pcs:2: a '| ROW' line continues an expectation block"));
    EXPECT_TRUE(Has(ErrorOf("| tcp LISTEN 0 0 * *\n"), "t.pcs:1: a '| ROW' line"));
    EXPECT_TRUE(Has(ErrorOf("host h\nss h -> none\n  | tcp LISTEN 0 0 * *\n"),
                    "t.pcs:3: a '| ROW' line continues an expectation block"));
    EXPECT_TRUE(Has(ErrorOf("host h\nss h rows ->\n  |\n"), "t.pcs:3: an empty row"));
    EXPECT_TRUE(Has(ErrorOf("host h\ncounters h TcpFoo\n"),
                    "t.pcs:2: 'counters h TcpFoo': unknown counter 'TcpFoo'; allowed: "
                    "TcpActiveOpens"));
    EXPECT_TRUE(Has(ErrorOf("host h\ncounters h TcpOutRsts TcpOutRsts\n"), "named twice"));
    EXPECT_TRUE(Has(ErrorOf("host h\ncounters h -> TcpOutRsts=x\n"),
                    "allowed after 'counters': NAME=N words"));
    EXPECT_TRUE(Has(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 loss=2\n"),
                    "loss: '2' is not a probability"));
    EXPECT_TRUE(Has(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 loss=100%\n"),
                    "loss '100%' is out of range"));
    EXPECT_TRUE(Has(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 rate=fast\n"),
                    "rate: 'fast' is not a bit rate"));
    EXPECT_TRUE(Has(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 rate=10bps\n"),
                    "from 1kbps to 100Gbps"));
    EXPECT_TRUE(Has(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 jitter=1ms\n"),
                    "'jitter=1ms' is not allowed here; allowed after the addresses: DELAY"));
    EXPECT_TRUE(
        Has(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 loss=1% loss=2%\n"), "each once"));
    EXPECT_EQ(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 5ms rate=10Mbps loss=1%\n"), "");
    EXPECT_EQ(ErrorOf("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 loss=0.5 rate=1Gbps\n"), "");
}

TEST(SocketScript, EachCheckCarriesTheSimulatedTimeItRanAt)
{
    auto checks = RunSocketScript("host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 5ms\n"
                                  "tcp g l\nbind l 10.1.1.2:80\nlisten l\nwait 10ms\n"
                                  "tcp h c\nconnect c 10.1.1.2:80 -> ok\nstate c -> *\n",
                                  "t.pcs");
    ASSERT_EQ(checks.size(), 2u);
    EXPECT_GE(checks[0].timeNs, 20000000) << "connect returns after one round trip of 2 x 5 ms";
    EXPECT_LT(checks[0].timeNs, 20001000) << "(plus the SYN's and SYN-ACK's transmission times)";
    EXPECT_EQ(ScriptTimeText(checks[0].timeNs), "[  0.020000]");
    EXPECT_EQ(checks[1].timeNs, checks[0].timeNs) << "state runs at once, at the same time";
    EXPECT_EQ(ScriptTimeText(int64_t(66) * 1000000000 + 1500), "[ 66.000001]");
}

TEST(SocketScript, LinkRateAndLossShapeTheLinkAndTheSeedDecidesTheLosses)
{
    // 10 kbps: 5000 bytes take seconds, so most of them wait unacknowledged (Send-Q).
    const std::string slow = "host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 1ms rate=100kbps\n"
                             "tcp g l\nbind l 10.1.1.2:80\nlisten l\n"
                             "tcp h c\nconnect c 10.1.1.2:80\nsend c 50000\nwait 100ms\n"
                             "ss h rows tcp -> *\nwait 10s\nss h rows tcp -> *\n";
    auto rows = Results(slow);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_NE(rows[0].find("ESTAB 0 "), std::string::npos);
    EXPECT_EQ(rows[0].find("ESTAB 0 0 "), std::string::npos)
        << "after 100 ms at 100 kbps data is still unacknowledged: " << rows[0];
    EXPECT_NE(rows[1].find("ESTAB 0 0 "), std::string::npos) << "after 10 s it has all gone";

    // With 30 % loss each way, connects and sends take retransmissions; the same seed gives
    // the same times and results, byte for byte.
    const std::string lossy = "host h\nhost g\nlink h g 10.1.1.1 10.1.1.2 loss=30%\n"
                              "tcp g l\nbind l 10.1.1.2:80\nlisten l\n"
                              "tcp h c1\nconnect c1 10.1.1.2:80 -> ok\n"
                              "tcp h c2\nconnect c2 10.1.1.2:80 -> ok\n"
                              "tcp h c3\nconnect c3 10.1.1.2:80 -> ok\n"
                              "tcp h c4\nconnect c4 10.1.1.2:80 -> ok\n"
                              "send c1 20000\nwait 30s\ncounters h -> *\n";
    auto run = [&](uint64_t seed) {
        std::string out;
        for (const auto& c : RunSocketScript(lossy, "t.pcs", seed))
        {
            out += ScriptTimeText(c.timeNs) + " " + c.got + "\n";
        }
        return out;
    };
    const std::string one = run(1);
    EXPECT_EQ(one, run(1)) << "the same seed must lose the same packets";
    EXPECT_NE(one, run(2)) << "another seed loses others";
    auto checks = RunSocketScript(lossy, "t.pcs", 1);
    ASSERT_EQ(checks.size(), 5u);
    EXPECT_GE(checks[3].timeNs, 1000000000)
        << "a lost SYN or SYN-ACK costs a 1 s retransmission: " << one;
}

} // namespace
} // namespace portlab
