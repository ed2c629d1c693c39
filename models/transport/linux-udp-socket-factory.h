/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_UDP_SOCKET_FACTORY_H
#define LINUX_UDP_SOCKET_FACTORY_H

#include "ns3/ptr.h"
#include "ns3/udp-socket-factory.h"

namespace ns3
{

class LinuxUdpL4Protocol;
class Socket;

/**
 * \ingroup portlab-transport
 * \brief The node's UdpSocketFactory when LinuxUdpL4Protocol is installed: creates
 * LinuxUdpSocket objects, so `Socket::CreateSocket(node, UdpSocketFactory::GetTypeId())` and
 * the stock UDP applications use Linux's port semantics. Aggregated to the node by
 * LinuxUdpL4Protocol.
 */
class LinuxUdpSocketFactory : public UdpSocketFactory
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    LinuxUdpSocketFactory();
    ~LinuxUdpSocketFactory() override;

    /// \param udp the UDP protocol that creates the sockets
    void SetUdp(Ptr<LinuxUdpL4Protocol> udp);

    /**
     * \brief Create a UDP socket (LinuxUdpL4Protocol::CreateSocket).
     * \return a new LinuxUdpSocket
     */
    Ptr<Socket> CreateSocket() override;

  protected:
    /// ns3::Object::DoDispose(): drops the protocol.
    void DoDispose() override;

  private:
    Ptr<LinuxUdpL4Protocol> m_udp; //!< the protocol
};

} // namespace ns3

#endif // LINUX_UDP_SOCKET_FACTORY_H
