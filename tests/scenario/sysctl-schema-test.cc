/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * The sysctl schema (portlab::SysctlDescriptors) is the one description of every setting:
 * LinuxPortSpace's attributes are made from it, and every entry point (scenario keys,
 * LinuxStackHelper::SetSysctl, socket scripts, PortSysctls::Set, the attributes) parses
 * through it, reaching the same value and rejecting the same values with the same message.
 */

#include "config-error-of.h"
#include "ports/host-port-space.h"
#include "ports/port-sysctls.h"
#include "scenario/scenario-spec.h"
#include "script/script-program.h"
#include "transport/linux-port-space.h"
#include "transport/linux-stack-helper.h"

#include "ns3/node.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

using test::ErrorOf;
using test::Has;

/// A value each setting accepts that is not its default (the text, and `sysctl -n`'s form).
std::pair<std::string, std::string>
NonDefault(const SysctlDescriptor& d)
{
    switch (d.kind)
    {
    case SysctlKind::PORT_RANGE:
        return {"40000 40009", "40000\t40009"};
    case SysctlKind::PORT_LIST:
        return {"8080,9000-9010", "8080,9000-9010"};
    case SysctlKind::INT:
        break;
    }
    const int64_t v = PortSysctls{}.*(d.member) != d.max ? d.max : d.min;
    return {std::to_string(v), std::to_string(v)};
}

/// A value outside the setting's own range.
std::string
OutOfRange(const SysctlDescriptor& d)
{
    switch (d.kind)
    {
    case SysctlKind::PORT_RANGE:
        return "60999 32768";
    case SysctlKind::PORT_LIST:
        return "0-80";
    case SysctlKind::INT:
        break;
    }
    return std::to_string(d.max + 1);
}

/// The keys of a scenario of one host, plus \p extra.
std::map<std::string, std::string>
OneHostScenario(const std::string& key, const std::string& value)
{
    return {{"description", "d"},
            {"question", "q"},
            {"linux_answer", "a"},
            {"duration", "1s"},
            {"group.h.count", "1"},
            {key, value}};
}

/// \return a fresh node with portlab's stack from \p stack
ns3::Ptr<ns3::LinuxPortSpace>
Install(const ns3::LinuxStackHelper& stack)
{
    ns3::Ptr<ns3::Node> node = ns3::CreateObject<ns3::Node>();
    stack.Install(node);
    return node->GetObject<ns3::LinuxPortSpace>();
}

/// The message of the SysctlError \p fn throws ("" if none).
template <class Fn>
std::string
SysctlErrorOf(Fn fn)
{
    try
    {
        fn();
    }
    catch (const SysctlError& e)
    {
        return e.what();
    }
    return "";
}

/// \p text as a POSIX extended regular expression matching it literally.
std::string
Literal(const std::string& text)
{
    std::string out;
    for (char c : text)
    {
        if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos)
        {
            out += '\\';
        }
        out += c;
    }
    return out;
}

class SysctlSchema : public ::testing::Test
{
  protected:
    void TearDown() override
    {
        ns3::Simulator::Destroy();
    }
};

TEST_F(SysctlSchema, EveryDescriptorHasAnAttributeWithItsNameRangeDefaultAndHelp)
{
    const ns3::TypeId tid = ns3::LinuxPortSpace::GetTypeId();
    const PortSysctls defaults;
    ASSERT_FALSE(SysctlDescriptors().empty());
    for (const auto& d : SysctlDescriptors())
    {
        SCOPED_TRACE(d.fullName);
        ns3::TypeId::AttributeInformation info;
        ASSERT_TRUE(tid.LookupAttributeByName(d.ShortName(), &info));
        EXPECT_EQ(info.help, d.Help());
        if (d.kind != SysctlKind::INT)
        {
            EXPECT_EQ(info.initialValue->SerializeToString(info.checker),
                      d.kind == SysctlKind::PORT_RANGE ? "32768 60999" : "");
            continue;
        }
        EXPECT_EQ(info.initialValue->SerializeToString(info.checker),
                  std::to_string(defaults.*(d.member)));
        // The checker's range is the descriptor's, at both ends.
        EXPECT_TRUE(info.checker->Check(ns3::UintegerValue(d.min)));
        EXPECT_TRUE(info.checker->Check(ns3::UintegerValue(d.max)));
        EXPECT_FALSE(info.checker->Check(ns3::UintegerValue(d.max + 1)));
        if (d.min > 0)
        {
            EXPECT_FALSE(info.checker->Check(ns3::UintegerValue(d.min - 1)));
        }
    }
    // And no sysctl attribute that the table does not describe: the table's, then the others.
    std::vector<std::string> sysctlAttributes;
    for (uint32_t i = 0; i < tid.GetAttributeN(); ++i)
    {
        const std::string name = tid.GetAttribute(i).name;
        if (name != "Hz" && name != "TimeWaitHz" && name != "PortSelector")
        {
            sysctlAttributes.push_back(name);
        }
    }
    ASSERT_EQ(sysctlAttributes.size(), SysctlDescriptors().size());
    for (size_t i = 0; i < sysctlAttributes.size(); ++i)
    {
        EXPECT_EQ(sysctlAttributes[i], SysctlDescriptors()[i].ShortName());
    }
}

TEST_F(SysctlSchema, AnAttributeOutsideItsRangeIsRejectedAndChangesNothing)
{
    ns3::Ptr<ns3::LinuxPortSpace> ports = Install(ns3::LinuxStackHelper());
    for (const auto& d : SysctlDescriptors())
    {
        if (d.kind != SysctlKind::INT)
        {
            continue;
        }
        SCOPED_TRACE(d.fullName);
        const int64_t before = ports->Sysctls().*(d.member);
        EXPECT_FALSE(ports->SetAttributeFailSafe(d.ShortName(), ns3::UintegerValue(d.max + 1)));
        EXPECT_FALSE(ports->SetAttributeFailSafe(d.ShortName(), ns3::StringValue(OutOfRange(d))));
        if (d.min > 0)
        {
            EXPECT_FALSE(ports->SetAttributeFailSafe(d.ShortName(), ns3::UintegerValue(d.min - 1)));
        }
        EXPECT_EQ(ports->Sysctls().*(d.member), before);
        EXPECT_TRUE(ports->SetAttributeFailSafe(d.ShortName(), ns3::UintegerValue(d.max)));
        EXPECT_EQ(ports->Sysctls().*(d.member), d.max);
    }
}

TEST_F(SysctlSchema, ASettingReachesTheSameValueByScenarioStackHelperScriptAndAttribute)
{
    for (const auto& d : SysctlDescriptors())
    {
        SCOPED_TRACE(d.fullName);
        const auto [text, shown] = NonDefault(d);
        ASSERT_NE(PortSysctls{}.Get(d.fullName), shown) << "the test needs a non-default value";

        // A scenario key, as the runner installs it (World::BuildHosts).
        ScenarioSpec spec =
            ParseScenario("s", OneHostScenario("sysctl." + d.ShortName(), text), {});
        ns3::LinuxStackHelper fromScenario;
        for (const auto& setting : HostSysctls(spec, spec.groups[0], 1))
        {
            fromScenario.SetSysctl(setting);
        }
        // LinuxStackHelper::SetSysctl with the Linux name.
        ns3::LinuxStackHelper fromHelper;
        fromHelper.SetSysctl(d.fullName, text);
        // A socket script's statement, as its ns-3 interpreter applies it.
        ScriptProgram script =
            ParseScript("host h\nsysctl h " + d.ShortName() + "=" + text + "\n", "t.pcs");
        ASSERT_EQ(script.statements.size(), 2u);
        ASSERT_EQ(script.statements[1].sysctl.descriptor, &d);
        EXPECT_EQ(script.statements[1].value, std::string(d.fullName) + "=" + text);
        ns3::Ptr<ns3::LinuxPortSpace> byScript = Install(ns3::LinuxStackHelper());
        byScript->SetSysctl(script.statements[1].sysctl);
        // The attribute, in its own type.
        ns3::Ptr<ns3::LinuxPortSpace> byAttribute = Install(ns3::LinuxStackHelper());
        if (d.kind == SysctlKind::INT)
        {
            byAttribute->SetAttribute(d.ShortName(), ns3::UintegerValue(std::stoull(text)));
        }
        else
        {
            byAttribute->SetAttribute(d.ShortName(), ns3::StringValue(text));
        }
        // PortSysctls::Set.
        PortSysctls direct;
        direct.Set(d.fullName, text);

        EXPECT_EQ(Install(fromScenario)->Sysctls().Get(d.fullName), shown);
        EXPECT_EQ(Install(fromHelper)->Sysctls().Get(d.fullName), shown);
        EXPECT_EQ(byScript->Sysctls().Get(d.fullName), shown);
        EXPECT_EQ(byAttribute->Sysctls().Get(d.fullName), shown);
        EXPECT_EQ(direct.Get(d.fullName), shown);
    }
}

TEST_F(SysctlSchema, AnOutOfRangeValueIsRejectedWithTheSameMessageByEveryEntryPoint)
{
    for (const auto& d : SysctlDescriptors())
    {
        SCOPED_TRACE(d.fullName);
        const std::string bad = OutOfRange(d);
        const std::string message = SysctlErrorOf([&] { d.Parse(bad); });
        ASSERT_TRUE(Has(message, std::string(d.fullName) + ": value '" + bad + "' is not allowed"))
            << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";

        EXPECT_EQ(SysctlErrorOf([&] { PortSysctls{}.Set(d.ShortName(), bad); }), message);
        EXPECT_EQ(SysctlErrorOf([&] { SysctlSetting::Parse(d.fullName, bad); }), message);
        for (const std::string& key : {"sysctl." + std::string(d.fullName),
                                       "group.h.sysctl." + d.ShortName(),
                                       "host.h1.sysctl." + std::string(d.fullName)})
        {
            std::string e = ErrorOf([&] { ParseScenario("s", OneHostScenario(key, bad), {}); });
            EXPECT_TRUE(Has(e, "key '" + key + "' = '" + bad + "': " + message)) << e;
        }
        std::string e = ErrorOf(
            [&] { ParseScript("host h\nsysctl h " + d.ShortName() + "=" + bad + "\n", "t.pcs"); });
        EXPECT_TRUE(Has(e, message)) << e;
    }
}

TEST_F(SysctlSchema, StackHelperAndStringAttributeStopWithTheDescriptorsMessage)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const SysctlDescriptor& twReuse = LookupSysctl("tcp_tw_reuse");
    const SysctlDescriptor& range = LookupSysctl("ip_local_port_range");
    const std::string twMessage = SysctlErrorOf([&] { twReuse.Parse("3"); });
    const std::string rangeMessage = SysctlErrorOf([&] { range.Parse("60999 32768"); });
    EXPECT_DEATH(ns3::LinuxStackHelper().SetSysctl("net.ipv4.tcp_tw_reuse", "3"),
                 Literal("LinuxStackHelper::SetSysctl: " + twMessage));
    EXPECT_DEATH(ns3::LinuxStackHelper().SetSysctl("ip_local_port_range", "60999 32768"),
                 Literal(rangeMessage));
    EXPECT_DEATH(Install(ns3::LinuxStackHelper())
                     ->SetAttribute("ip_local_port_range", ns3::StringValue("60999 32768")),
                 Literal(rangeMessage));
}

/// A SplitMixRandom that counts the values drawn from it.
class CountingRandom : public RandomSource
{
  public:
    /// \param draws where to count
    explicit CountingRandom(int* draws)
        : m_inner(7),
          m_draws(draws)
    {
    }

    uint32_t NextU32() override
    {
        ++*m_draws;
        return m_inner.NextU32();
    }

  private:
    SplitMixRandom m_inner;
    int* m_draws;
};

TEST(HostSecret, IsDrawnOnceWhenTheTablesAreFirstNeededNotWhenSettingsChange)
{
    int draws = 0;
    HostPortSpace host(std::make_unique<CountingRandom>(&draws));
    host.Sysctls().Set("tcp_tw_reuse", "1");
    host.Addresses().Add(0x0a000001);
    host.UseSelector({});
    EXPECT_EQ(draws, 0);
    EXPECT_FALSE(host.SecretDrawn());
    host.Tcp();
    EXPECT_TRUE(host.SecretDrawn());
    EXPECT_EQ(draws, 2) << "one 64-bit secret";
    host.Udp();
    host.Selector();
    EXPECT_EQ(draws, 2);
    EXPECT_EQ(host.Sysctls().tcpTwReuse, 1) << "settings made before the secret are kept";
}

TEST_F(SysctlSchema, AssignStreamsComesBeforeTheSecretAndInstallDoesNotDrawIt)
{
    ns3::LinuxStackHelper stack;
    stack.SetSysctl("net.ipv4.ip_local_port_range", "40000 40009");
    ns3::Ptr<ns3::LinuxPortSpace> ports = Install(stack);
    EXPECT_FALSE(ports->Host().SecretDrawn()) << "settings and attributes draw nothing";
    EXPECT_EQ(ports->AssignStreams(5), 1);
    EXPECT_FALSE(ports->Host().SecretDrawn());
    ports->Host().Tcp();
    EXPECT_TRUE(ports->Host().SecretDrawn());
    EXPECT_EQ(ports->Sysctls().ipLocalPortRangeLow, 40000);
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(ports->AssignStreams(6), "call it before any socket is created");
}

} // namespace
} // namespace portlab
