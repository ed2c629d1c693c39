/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_APP_INSTALLER_H
#define PORTLAB_APP_INSTALLER_H

#include "apps/process-helper.h"
#include "scenario/scenario-spec.h"

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/node.h"

#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief Installs a scenario app's processes: a ProcessHelper of the app's TypeId with every
 * option the scenario sets applied as its attribute (AppOptions() names it), so an app key
 * reaches the process through the attribute system and nothing else.
 *
 * \code
 *   AppInstaller installer(app, spec.durationNs);
 *   Ptr<Application> p = installer.Install(node, local, {});
 * \endcode
 */
class AppInstaller
{
  public:
    /**
     * \param app the app
     * \param durationNs the run's length: when the app stops unless it says
     */
    AppInstaller(const AppSpec& app, int64_t durationNs);

    /**
     * \brief Install one process.
     * \param node where
     * \param local servers and proxies: the address to bind (ignored for clients)
     * \param remotes clients: destinations; proxies: upstreams (round robin)
     * \return the process, added to \p node
     */
    ns3::Ptr<ns3::Application> Install(ns3::Ptr<ns3::Node> node,
                                       const ns3::Address& local,
                                       const std::vector<ns3::Address>& remotes) const;

  private:
    const AppSpec& m_app;        //!< the app
    ns3::ProcessHelper m_helper; //!< its TypeId with its options set
};

} // namespace portlab

#endif // PORTLAB_APP_INSTALLER_H
