/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LINUX_TCP_SOCKET_FACTORY_H
#define LINUX_TCP_SOCKET_FACTORY_H

#include "ns3/tcp-socket-factory.h"

namespace ns3
{

class LinuxTcpL4Protocol;

/**
 * \ingroup portlab-transport
 * \brief Makes LinuxTcpSocket objects; aggregated to the node as its TcpSocketFactory, so
 * `Socket::CreateSocket(node, TcpSocketFactory::GetTypeId())` and stock applications use them.
 */
class LinuxTcpSocketFactory : public TcpSocketFactory
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    /// \param tcp the protocol that creates the sockets
    void SetTcp(Ptr<LinuxTcpL4Protocol> tcp);

    /// SocketFactory: a new LinuxTcpSocket from the protocol (LinuxTcpL4Protocol::CreateSocket()).
    /// \return the socket
    Ptr<Socket> CreateSocket() override;

  protected:
    /// ns3::Object::DoDispose(): drops the protocol.
    void DoDispose() override;

  private:
    Ptr<LinuxTcpL4Protocol> m_tcp; //!< the protocol
};

} // namespace ns3

#endif // LINUX_TCP_SOCKET_FACTORY_H
