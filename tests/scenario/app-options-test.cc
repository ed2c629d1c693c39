/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Scenario app keys reach the processes through one table (AppOptions) and the attribute
// system: each key names an attribute of its app types, a scenario value arrives as that
// attribute's value, and ranges come from the attribute's checker.

#include "apps/close-policy.h"
#include "client-server-keys.h"
#include "config-error-of.h"
#include "scenario/app-installer.h"
#include "scenario/app-options.h"
#include "scenario/scenario-spec.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/inet-socket-address.h"
#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

/// A client "load" towards a server "web"; \p extra keys override or add.
ScenarioSpec
Scenario(const std::map<std::string, std::string>& extra)
{
    std::map<std::string, std::string> keys = ClientServerKeys("10s",
                                                               {{"app.web.type", "tcp-server"},
                                                                {"app.web.on", "server"},
                                                                {"app.web.bind", "*:80"},
                                                                {"app.load.type", "tcp-client"},
                                                                {"app.load.on", "client"},
                                                                {"app.load.to", "web"}});
    for (const auto& [k, v] : extra)
    {
        keys[k] = v;
    }
    return ParseScenario("options", keys, {});
}

const AppSpec&
App(const ScenarioSpec& spec, const std::string& name)
{
    for (const auto& a : spec.apps)
    {
        if (a.name == name)
        {
            return a;
        }
    }
    throw std::runtime_error("no app " + name);
}

TEST(AppOptions, EveryKeyNamesAnAttributeOfEachOfItsAppTypes)
{
    for (const auto& o : AppOptions())
    {
        ASSERT_FALSE(o.attributes.empty()) << o.key << " sets no attribute";
        for (const auto& [type, attribute] : o.attributes)
        {
            ns3::TypeId::AttributeInformation info;
            EXPECT_TRUE(AppTypeId(type).LookupAttributeByName(attribute, &info))
                << "app key " << o.key << " names " << attribute << ", which "
                << AppTypeId(type).GetName() << " does not have";
        }
    }
}

TEST(AppOptions, ScenarioValuesArriveAsTheProcessAttributes)
{
    ScenarioSpec spec = Scenario({{"app.load.rate", "2.5k/s"},
                                  {"app.load.close", "server-first"},
                                  {"app.load.arrivals", "poisson"},
                                  {"app.load.request", "1KB"},
                                  {"app.web.close", "server-first"}});
    const AppSpec& load = App(spec, "load");
    ns3::Ptr<ns3::Node> node = ns3::CreateObject<ns3::Node>();
    ns3::Ptr<ns3::Application> app =
        AppInstaller(load, spec.durationNs)
            .Install(node,
                     ns3::Address(),
                     {ns3::InetSocketAddress(ns3::Ipv4Address("10.0.1.2"), 80)});
    ns3::DoubleValue rate;
    app->GetAttribute("Rate", rate);
    EXPECT_EQ(rate.Get(), 2500) << "app.load.rate = 2.5k/s should set Rate to 2500";
    ns3::StringValue close;
    app->GetAttribute("ClosePolicy", close);
    EXPECT_EQ(close.Get(), "server-first") << "app.load.close should set ClosePolicy";
    ns3::BooleanValue poisson;
    app->GetAttribute("Poisson", poisson);
    EXPECT_TRUE(poisson.Get()) << "arrivals = poisson should set Poisson";
    ns3::UintegerValue request;
    app->GetAttribute("RequestSize", request);
    EXPECT_EQ(request.Get(), 1000u) << "request = 1KB should set RequestSize to 1000";
    ns3::UintegerValue response;
    app->GetAttribute("ResponseSize", response);
    EXPECT_EQ(response.Get(), 100u) << "an unset key should leave the attribute's default";
    EXPECT_EQ(load.Number("rate"), 2500);
    EXPECT_EQ(load.Word("close"), "server-first");
    EXPECT_EQ(load.Number("response"), 100) << "the default is the attribute's";
    ns3::Simulator::Destroy();
}

TEST(AppOptions, RangesComeFromTheAttributeChecker)
{
    std::string err = test::ErrorOf([] { Scenario({{"app.load.rate", "20M/s"}}); });
    EXPECT_NE(err.find("key 'app.load.rate' = '20M/s': out of range; allowed: 0.000001/s to "
                       "10000000/s"),
              std::string::npos)
        << "the range should be TcpClientProcess::Rate's: " << err;
    err = test::ErrorOf([] { Scenario({{"app.load.requests_per_connection", "0"}}); });
    EXPECT_NE(err.find("allowed: a whole number from 1 to 100000"), std::string::npos)
        << "the range should be RequestsPerConnection's: " << err;
    err = test::ErrorOf([] { Scenario({{"app.load.close", "server-last"}}); });
    EXPECT_NE(err.find("'server-last' is not allowed; allowed: client-first, server-first, "
                       "linger0"),
              std::string::npos)
        << "the names should be the close policy checker's: " << err;
}

TEST(AppOptions, AKeyWithoutAnAttributeOnTheTypeIsRejected)
{
    std::string err = test::ErrorOf([] { Scenario({{"app.load.reuseaddr", "true"}}); });
    EXPECT_NE(err.find("unknown key for a tcp-client; allowed: type, on, start, stop, to, "),
              std::string::npos)
        << "a tcp-client has no ReuseAddr attribute: " << err;
}

TEST(AppOptions, HelpComesFromTheAttribute)
{
    const AppOption* rate = FindAppOption("rate");
    ASSERT_NE(rate, nullptr);
    const std::string help = AppOptionHelp(*rate);
    ns3::TypeId::AttributeInformation info = AppOptionInfo(*rate, AppType::TCP_CLIENT);
    EXPECT_EQ(help.rfind(info.help, 0), 0u) << "help should start with the attribute's: " << help;
    EXPECT_NE(help.find("allowed: 0.000001/s to 10000000/s"), std::string::npos) << help;
    EXPECT_NE(help.find("tcp-client: Rate, udp-client: Rate"), std::string::npos) << help;
}

TEST(ClosePolicy, OneNameForEachPolicyReadBackByTheParse)
{
    for (ns3::ClosePolicy p :
         {ns3::CLOSE_CLIENT_FIRST, ns3::CLOSE_SERVER_FIRST, ns3::CLOSE_LINGER_ZERO})
    {
        ns3::ClosePolicy back = ns3::CLOSE_CLIENT_FIRST;
        ASSERT_TRUE(ns3::ParseClosePolicy(ns3::ClosePolicyName(p), back))
            << ns3::ClosePolicyName(p) << " should parse";
        EXPECT_EQ(back, p) << ns3::ClosePolicyName(p) << " should read back as itself";
        ns3::EnumValue v(p);
        EXPECT_EQ(v.SerializeToString(ns3::MakeClosePolicyChecker()), ns3::ClosePolicyName(p))
            << "the attribute should spell it as ClosePolicyName()";
    }
    ns3::ClosePolicy p = ns3::CLOSE_CLIENT_FIRST;
    EXPECT_FALSE(ns3::ParseClosePolicy("ClientFirst", p)) << "one spelling only";
}

} // namespace
} // namespace portlab
