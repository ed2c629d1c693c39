/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "client-server-keys.h"
#include "scenario/scenario-runner.h"
#include "scenario/scenario-spec.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

/// One client with 1000 ephemeral ports (40000-40999) that opens \p rate connections per
/// second to one web server and closes first; \p extra keys override or add.
double
Predict(double rate,
        const std::map<std::string, std::string>& extra = {},
        std::string* whyOut = nullptr)
{
    std::map<std::string, std::string> keys =
        ClientServerKeys("10s",
                         {{"group.client.sysctl.net.ipv4.ip_local_port_range", "40000 40999"},
                          {"app.web.type", "tcp-server"},
                          {"app.web.on", "server"},
                          {"app.web.bind", "*:80"},
                          {"app.load.type", "tcp-client"},
                          {"app.load.on", "client"},
                          {"app.load.to", "web"},
                          {"app.load.rate", std::to_string(rate) + "/s"},
                          {"app.load.close", "client-first"}});
    for (const auto& [k, v] : extra)
    {
        keys[k] = v;
    }
    ScenarioSpec spec = ParseScenario("predict", keys, {});
    const AppSpec* load = nullptr;
    for (const auto& a : spec.apps)
    {
        load = a.name == "load" ? &a : load;
    }
    std::string why;
    double p = PredictTimeWaitSuccess(spec, *load, &why);
    if (whyOut != nullptr)
    {
        *whyOut = why;
    }
    return p;
}

/// 1000 ports / 60 s: the capacity without a takeover.
const double KNEE = 1000 / 60.0;

/// The web server on the client host, bound to 127.0.0.1: the connections are loopback.
const std::map<std::string, std::string> LOOPBACK_SERVER{{"app.web.on", "client"},
                                                         {"app.web.bind", "127.0.0.1:80"}};

TEST(PredictTimeWait, WithoutATakeoverSuccessIsPortsOverSixtySecondsOverTheRate)
{
    std::string why;
    EXPECT_NEAR(Predict(20, {}, &why), KNEE / 20, 1e-12);
    EXPECT_EQ(why, "1000 ports (1000 x 1 destinations) / 60 s = 16.6667 conn/s vs 20/s offered");
    EXPECT_DOUBLE_EQ(Predict(10), 1.0);
}

TEST(PredictTimeWait, TwReuseTwoTakesOverOnLoopbackOnly)
{
    // tcp_tw_reuse=2 is the default.
    EXPECT_NEAR(Predict(20), KNEE / 20, 1e-12) << "towards a link address: no takeover";
    std::string why;
    EXPECT_DOUBLE_EQ(Predict(20, LOOPBACK_SERVER, &why), 1.0)
        << "to 127.0.0.1 connect() takes TIME_WAITs over after 1 s: 1000 conn/s";
    EXPECT_NE(why.find("tcp_tw_reuse=2 (loopback)"), std::string::npos) << why;
    auto off = LOOPBACK_SERVER;
    off["group.client.sysctl.net.ipv4.tcp_tw_reuse"] = "0";
    EXPECT_NEAR(Predict(20, off), KNEE / 20, 1e-12);
}

TEST(PredictTimeWait, TwReuseOneCoversARateAboveTheKneeOnlyWhenTheDelayAllows)
{
    const double rate = 17; // just above 16.7/s
    std::map<std::string, std::string> reuse{{"group.client.sysctl.net.ipv4.tcp_tw_reuse", "1"}};
    EXPECT_DOUBLE_EQ(Predict(rate, reuse), 1.0) << "1000 ports / 1 s";
    reuse["group.client.sysctl.net.ipv4.tcp_tw_reuse_delay"] = "59000";
    EXPECT_NEAR(Predict(rate, reuse), 1000 / 59.0 / rate, 1e-12) << "1000 ports / 59 s";
    reuse["group.client.sysctl.net.ipv4.tcp_tw_reuse_delay"] = "60000";
    EXPECT_NEAR(Predict(rate, reuse), KNEE / rate, 1e-12)
        << "a delay as long as the TIME_WAIT: the entries expire before they can be taken over";
    reuse["group.client.sysctl.net.ipv4.tcp_tw_reuse_delay"] = "100";
    EXPECT_DOUBLE_EQ(Predict(5000, reuse), 1.0) << "1000 ports / 0.1 s = 10000/s";
    EXPECT_NEAR(Predict(20000, reuse), 0.5, 1e-12);
}

TEST(PredictTimeWait, TimestampsOffAtEitherEndMeanNoTakeover)
{
    std::map<std::string, std::string> keys{{"group.client.sysctl.net.ipv4.tcp_tw_reuse", "1"},
                                            {"group.client.sysctl.net.ipv4.tcp_timestamps", "0"}};
    EXPECT_NEAR(Predict(20, keys), KNEE / 20, 1e-12) << "the client sends none";
    keys.erase("group.client.sysctl.net.ipv4.tcp_timestamps");
    keys["group.server.sysctl.net.ipv4.tcp_timestamps"] = "0";
    EXPECT_NEAR(Predict(20, keys), KNEE / 20, 1e-12) << "the server answers without them";
    keys["group.server.sysctl.net.ipv4.tcp_timestamps"] = "2";
    EXPECT_DOUBLE_EQ(Predict(20, keys), 1.0) << "2: timestamps without the random offset";
}

TEST(PredictTimeWait, BindBeforeConnectIsNotHelpedByTwReuse)
{
    std::map<std::string, std::string> keys{{"group.client.sysctl.net.ipv4.tcp_tw_reuse", "1"},
                                            {"app.load.bind_before_connect", "true"}};
    EXPECT_NEAR(Predict(20, keys), KNEE / 20, 1e-12)
        << "bind(0) skips ports held by TIME_WAITs and takes none over";
    keys["app.load.bind_address_no_port"] = "true";
    EXPECT_DOUBLE_EQ(Predict(20, keys), 1.0) << "IP_BIND_ADDRESS_NO_PORT: connect() chooses";
}

TEST(PredictTimeWait, LoopbackAndLinkDestinationsEachServeTheirShareOfTheRate)
{
    // Connections go to the destinations in turn: 500/s to each. To 127.0.0.1 TIME_WAITs are
    // taken over (1000 conn/s), to the link they are not (16.7 conn/s).
    std::map<std::string, std::string> keys = LOOPBACK_SERVER;
    keys["app.link.type"] = "tcp-server";
    keys["app.link.on"] = "server";
    keys["app.link.bind"] = "*:81";
    keys["app.load.to"] = "web,link";
    std::string why;
    EXPECT_DOUBLE_EQ(Predict(1000, keys, &why), (500 + KNEE) / 1000) << why;
    EXPECT_NE(why.find("; "), std::string::npos) << why;
}

} // namespace
} // namespace portlab
