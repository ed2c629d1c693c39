/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario-config.h"
#include "socket-script.h"

#include "config-error-of.h"

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

} // namespace
} // namespace portlab
