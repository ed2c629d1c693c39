/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PROCESS_HELPER_H
#define PROCESS_HELPER_H

#include "ns3/address.h"
#include "ns3/application-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"

#include <string>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief Installs portlab's processes on nodes, the ns-3 application-helper way:
 *
 * \code
 *   TcpServerProcessHelper server(InetSocketAddress(Ipv4Address::GetAny(), 80));
 *   server.SetAttribute("ReuseAddr", BooleanValue(true));
 *   ApplicationContainer apps = server.Install(nodes);
 * \endcode
 *
 * The per-process helpers below only differ in the TypeId and the address their constructor
 * sets (as ns-3's udp-echo-helper.h holds both echo helpers, they share this file).
 */
class ProcessHelper
{
  public:
    /// \param tid the application's TypeId
    explicit ProcessHelper(TypeId tid);

    /**
     * \param name attribute name
     * \param value its value, for every application installed from now on
     */
    void SetAttribute(const std::string& name, const AttributeValue& value);

    /// \param node a node \return the application installed on it
    ApplicationContainer Install(Ptr<Node> node) const;

    /// \param c nodes \return one application per node, in the nodes' order
    ApplicationContainer Install(NodeContainer c) const;

    /**
     * \brief Fix the random streams of the TcpClientProcess and UdpClientProcess
     * applications in \p apps (others use none).
     * \param apps applications
     * \param stream first stream index
     * \return streams used
     */
    static int64_t AssignStreams(ApplicationContainer apps, int64_t stream);

  private:
    ObjectFactory m_factory; //!< application factory
};

/// \ingroup portlab-apps \brief Installs TcpServerProcess.
class TcpServerProcessHelper : public ProcessHelper
{
  public:
    /// \param local address and port to listen on ("Local")
    explicit TcpServerProcessHelper(const Address& local);
};

/// \ingroup portlab-apps \brief Installs TcpClientProcess.
class TcpClientProcessHelper : public ProcessHelper
{
  public:
    /// \param remote server address and port ("Remote"; set "Remotes" for several)
    explicit TcpClientProcessHelper(const Address& remote);
};

/// \ingroup portlab-apps \brief Installs UdpServerProcess.
class UdpServerProcessHelper : public ProcessHelper
{
  public:
    /// \param local address and port to bind ("Local")
    explicit UdpServerProcessHelper(const Address& local);
};

/// \ingroup portlab-apps \brief Installs UdpClientProcess.
class UdpClientProcessHelper : public ProcessHelper
{
  public:
    /// \param remote server address and port ("Remote"; set "Remotes" for several)
    explicit UdpClientProcessHelper(const Address& remote);
};

/// \ingroup portlab-apps \brief Installs TcpProxyProcess.
class TcpProxyProcessHelper : public ProcessHelper
{
  public:
    /**
     * \param local address and port to listen on ("Local")
     * \param upstream upstream server ("Upstream"; set "Upstreams" for several)
     */
    TcpProxyProcessHelper(const Address& local, const Address& upstream);
};

} // namespace ns3

#endif // PROCESS_HELPER_H
