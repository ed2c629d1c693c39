/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TCP_SERVER_PROCESS_H
#define TCP_SERVER_PROCESS_H

#include "close-policy.h"

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"

#include <string>
#include <unordered_map>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief A TCP server process: listens with socket options and a backlog, accepts, reads a
 * request of RequestSize bytes, answers ResponseSize bytes, and closes by policy.
 *
 * Works on any TcpSocketFactory: options the socket type lacks (ReuseAddr, ReusePort on ns-3's
 * own TCP) are skipped. With LinuxStackHelper the bind result carries Linux's errno.
 */
class TcpServerProcess : public Application
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    TcpServerProcess();
    ~TcpServerProcess() override;

    /// \return connections accepted
    uint64_t GetAccepted() const
    {
        return m_accepted;
    }

    /// \return responses sent in full
    uint64_t GetServed() const
    {
        return m_served;
    }

    /// \return connections currently open
    size_t GetOpen() const
    {
        return m_conns.size();
    }

    /// \return the result of the last bind() ("ok" or an errno name)
    std::string GetBindResult() const
    {
        return m_bindResult;
    }

    /// TracedCallback for bind results: "ok" or Linux's errno name.
    typedef void (*BindTracedCallback)(std::string result);

  protected:
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;
    void HandleAccept(Ptr<Socket> s, const Address& from);
    void HandleRead(Ptr<Socket> s);
    void HandlePeerClose(Ptr<Socket> s);
    void Finish(Ptr<Socket> s, bool rst);

    /// Per-connection progress.
    struct Conn
    {
        Ptr<Socket> socket;   //!< the connection
        uint32_t received{0}; //!< request bytes so far
        bool replied{false};  //!< response sent
    };

    Address m_local;                           //!< where to listen
    TypeId m_protocol;                         //!< socket factory
    bool m_reuseAddr{false};                   //!< SO_REUSEADDR
    bool m_reusePort{false};                   //!< SO_REUSEPORT
    int64_t m_backlog{-1};                     //!< listen backlog (-1: somaxconn)
    uint32_t m_requestSize{100};               //!< bytes to read before answering
    uint32_t m_responseSize{100};              //!< bytes to answer
    ClosePolicy m_policy{CLOSE_CLIENT_FIRST};  //!< who closes
    Ptr<Socket> m_listener;                    //!< listening socket
    Callback<void, Ptr<Socket>> m_onRead;      //!< HandleRead, built once
    Callback<void, Ptr<Socket>> m_onPeerClose; //!< HandlePeerClose, built once
    std::unordered_map<Socket*, Conn> m_conns; //!< open connections
    uint64_t m_accepted{0};                    //!< accepted so far
    uint64_t m_served{0};                      //!< responses sent
    std::string m_bindResult;                  //!< last bind result

    TracedCallback<std::string> m_bindTrace;                   //!< bind results
    TracedCallback<Ptr<Socket>, const Address&> m_acceptTrace; //!< accepted connections
};

} // namespace ns3

#endif // TCP_SERVER_PROCESS_H
