/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "scenario/app-installer.h"

#include "apps/remote-list.h"

#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/string.h"

NS_LOG_COMPONENT_DEFINE("PortlabAppInstaller");

namespace portlab
{

AppInstaller::AppInstaller(const AppSpec& app, int64_t durationNs)
    : m_app(app),
      m_helper(AppTypeId(app.type))
{
    for (const auto& [key, text] : app.options)
    {
        const AppOption* option = FindAppOption(key);
        m_helper.SetAttribute(AppOptionAttribute(*option, app.type), ns3::StringValue(text));
    }
    m_helper.SetAttribute("StartTime", ns3::TimeValue(ns3::NanoSeconds(app.startNs)));
    m_helper.SetAttribute(
        "StopTime",
        ns3::TimeValue(ns3::NanoSeconds(app.stopNs >= 0 ? app.stopNs : durationNs)));
}

ns3::Ptr<ns3::Application>
AppInstaller::Install(ns3::Ptr<ns3::Node> node,
                      const ns3::Address& local,
                      const std::vector<ns3::Address>& remotes) const
{
    NS_LOG_FUNCTION(this << node << m_app.name);
    ns3::ProcessHelper helper = m_helper;
    switch (m_app.type)
    {
    case AppType::TCP_SERVER:
    case AppType::UDP_SERVER:
        helper.SetAttribute("Local", ns3::AddressValue(local));
        break;
    case AppType::TCP_PROXY:
        helper.SetAttribute("Local", ns3::AddressValue(local));
        helper.SetAttribute("Upstreams", ns3::StringValue(ns3::FormatRemoteList(remotes)));
        break;
    case AppType::TCP_CLIENT:
    case AppType::UDP_CLIENT:
        helper.SetAttribute("Remotes", ns3::StringValue(ns3::FormatRemoteList(remotes)));
        break;
    }
    return helper.Install(node).Get(0);
}

} // namespace portlab
