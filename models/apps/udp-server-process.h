/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef UDP_SERVER_PROCESS_H
#define UDP_SERVER_PROCESS_H

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/packet.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"

#include <map>
#include <string>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief A UDP server process: binds Local with SO_REUSEADDR / SO_REUSEPORT as configured,
 * records the bind result (EADDRINUSE when another socket holds the port without sharing),
 * and answers every datagram of at least RequestSize bytes with a ResponseSize datagram to
 * its sender.
 *
 * Works on any UdpSocketFactory; with LinuxStackHelper the options and the bind result are
 * Linux's.
 */
class UdpServerProcess : public Application
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    UdpServerProcess();
    ~UdpServerProcess() override;

    /// \return the bind() result: "ok" or Linux's errno name (empty before the start)
    std::string GetBindResult() const
    {
        return m_bindResult;
    }

    /// \return datagrams received
    uint64_t GetReceived() const
    {
        return m_received;
    }

    /// \return datagrams answered
    uint64_t GetAnswered() const
    {
        return m_answered;
    }

    /// \return failed sends and receives by Linux errno name
    const std::map<std::string, uint64_t>& GetErrors() const
    {
        return m_errors;
    }

    /// TracedCallback for bind results: "ok" or Linux's errno name.
    typedef void (*BindTracedCallback)(std::string result);

  protected:
    /// ns3::Object::DoDispose(): drops the socket.
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;
    void HandleRead(Ptr<Socket> s);

    Address m_local;                          //!< where to bind
    TypeId m_protocol;                        //!< socket factory
    bool m_reuseAddr{false};                  //!< SO_REUSEADDR
    bool m_reusePort{false};                  //!< SO_REUSEPORT
    uint32_t m_requestSize{100};              //!< smallest datagram answered
    uint32_t m_responseSize{100};             //!< answer size
    Ptr<Socket> m_socket;                     //!< the bound socket
    std::string m_bindResult;                 //!< bind result
    uint64_t m_received{0};                   //!< datagrams received
    uint64_t m_answered{0};                   //!< datagrams answered
    std::map<std::string, uint64_t> m_errors; //!< by errno

    TracedCallback<std::string> m_bindTrace;                     //!< bind result
    TracedCallback<Ptr<const Packet>, const Address&> m_rxTrace; //!< datagrams received
    TracedCallback<Ptr<const Packet>, const Address&> m_txTrace; //!< answers sent
};

} // namespace ns3

#endif // UDP_SERVER_PROCESS_H
