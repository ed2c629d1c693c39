/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "ports/port-sysctls.h"

#include <gtest/gtest.h>

namespace portlab
{
namespace
{

TEST(PortSysctls, DefaultsAreLinux618s)
{
    PortSysctls s;
    EXPECT_EQ(s.Get("net.ipv4.ip_local_port_range"), "32768\t60999");
    EXPECT_EQ(s.Get("tcp_tw_reuse"), "2");
    EXPECT_EQ(s.Get("tcp_tw_reuse_delay"), "1000");
    EXPECT_EQ(s.Get("tcp_max_tw_buckets"), "262144");
    EXPECT_EQ(s.Get("net.core.somaxconn"), "4096");
    EXPECT_EQ(s.Get("tcp_timestamps"), "1");
    EXPECT_EQ(s.Get("ip_local_reserved_ports"), "");
    EXPECT_EQ(s.TimewaitLen(), 60 * NS_PER_SECOND);
}

TEST(PortSysctls, SettingsAcceptTheirShortAndFullNames)
{
    PortSysctls s;
    s.Set("net.ipv4.tcp_tw_reuse", "0");
    EXPECT_EQ(s.tcpTwReuse, 0);
    s.Set("tcp_tw_reuse", "1");
    EXPECT_EQ(s.tcpTwReuse, 1);
    s.Set("ip_local_port_range", "40000 40009");
    EXPECT_EQ(s.ipLocalPortRangeLow, 40000);
    EXPECT_EQ(s.ipLocalPortRangeHigh, 40009);
}

TEST(PortSysctls, ABadValueIsAnErrorNamingSettingValueAndAllowedValues)
{
    PortSysctls s;
    try
    {
        s.Set("tcp_tw_reuse", "3");
        FAIL() << "tcp_tw_reuse=3 should be rejected";
    }
    catch (const SysctlError& e)
    {
        std::string m = e.what();
        EXPECT_NE(m.find("net.ipv4.tcp_tw_reuse"), std::string::npos) << m;
        EXPECT_NE(m.find("'3'"), std::string::npos) << m;
        EXPECT_NE(m.find("2 (loopback only)"), std::string::npos) << m;
    }
    EXPECT_EQ(s.tcpTwReuse, 2) << "a rejected value must leave the setting unchanged";
    EXPECT_THROW(s.Set("ip_local_port_range", "50000 40000"), SysctlError);
    EXPECT_THROW(s.Set("ip_local_port_range", "80 40000"), SysctlError)
        << "low end below ip_unprivileged_port_start";
    EXPECT_THROW(s.Set("ip_local_port_range", "40000"), SysctlError);
    EXPECT_THROW(s.Set("ip_local_port_range", "40000 70000"), SysctlError);
    EXPECT_THROW(s.Set("tcp_max_tw_buckets", "-1"), SysctlError);
    EXPECT_THROW(s.Set("tcp_max_tw_buckets", "12abc"), SysctlError);
    EXPECT_THROW(s.Set("somaxconn", ""), SysctlError);
}

TEST(PortSysctls, AnUnknownNameListsTheKnownOnes)
{
    PortSysctls s;
    try
    {
        s.Set("tcp_tw_recycle", "1");
        FAIL() << "tcp_tw_recycle (removed in Linux 4.12) should be unknown";
    }
    catch (const SysctlError& e)
    {
        EXPECT_NE(std::string(e.what()).find("net.ipv4.tcp_tw_reuse"), std::string::npos);
    }
}

TEST(PortSysctls, ReservedPortsUseLinuxListSyntax)
{
    PortSysctls s;
    s.Set("ip_local_reserved_ports", "8080, 9000-9002,9005");
    EXPECT_TRUE(s.ipLocalReservedPorts.Contains(8080));
    EXPECT_TRUE(s.ipLocalReservedPorts.Contains(9001));
    EXPECT_FALSE(s.ipLocalReservedPorts.Contains(9003));
    EXPECT_EQ(s.Get("ip_local_reserved_ports"), "8080,9000-9002,9005");
    EXPECT_THROW(s.Set("ip_local_reserved_ports", "9010-9000"), SysctlError);
    EXPECT_THROW(s.Set("ip_local_reserved_ports", "0"), SysctlError);
    EXPECT_THROW(s.Set("ip_local_reserved_ports", "1,,2"), SysctlError);
}

} // namespace
} // namespace portlab
