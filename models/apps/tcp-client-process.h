/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TCP_CLIENT_PROCESS_H
#define TCP_CLIENT_PROCESS_H

#include "tcp-server-process.h"

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/random-variable-stream.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"

#include <map>
#include <string>
#include <unordered_map>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief A TCP client process: opens connections at a constant or Poisson rate, sends a
 * request, reads the response and closes by policy, counting every outcome by Linux errno
 * (EADDRNOTAVAIL when ports run out, ECONNREFUSED, ETIMEDOUT, ...).
 */
class TcpClientProcess : public Application
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    TcpClientProcess();
    ~TcpClientProcess() override;

    /**
     * \param stream first stream index
     * \return streams used
     */
    int64_t AssignStreams(int64_t stream);

    /// \return connections attempted
    uint64_t GetAttempted() const
    {
        return m_attempted;
    }

    /// \return connections established
    uint64_t GetConnected() const
    {
        return m_connected;
    }

    /// \return request/response exchanges completed
    uint64_t GetCompleted() const
    {
        return m_completed;
    }

    /// \return failures by Linux errno name
    const std::map<std::string, uint64_t>& GetFailures() const
    {
        return m_failures;
    }

    /// \return connections still open
    size_t GetOpen() const
    {
        return m_conns.size();
    }

    /// TracedCallback for connection outcomes: "ok" or an errno name.
    typedef void (*ResultTracedCallback)(std::string result);

  protected:
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;
    void ScheduleNext();
    void NewConnection();
    void Fail(Ptr<Socket> s, const std::string& why);
    void ConnectionSucceeded(Ptr<Socket> s);
    void ConnectionFailed(Ptr<Socket> s);
    void HandleRead(Ptr<Socket> s);
    void HandlePeerClose(Ptr<Socket> s);
    void Finish(Ptr<Socket> s, bool rst);

    Address m_remote;                         //!< destination
    TypeId m_protocol;                        //!< socket factory
    double m_rate{100};                       //!< connections per second
    bool m_poisson{false};                    //!< Poisson (else constant) arrivals
    uint64_t m_maxConnections{0};             //!< stop after this many (0: no limit)
    uint32_t m_requestSize{100};              //!< request bytes
    uint32_t m_responseSize{100};             //!< response bytes expected
    ClosePolicy m_policy{CLOSE_CLIENT_FIRST}; //!< who closes
    bool m_bindBeforeConnect{false};          //!< bind(0) before connect()
    bool m_bindAddressNoPort{false};          //!< IP_BIND_ADDRESS_NO_PORT with the bind
    Ptr<ExponentialRandomVariable> m_gap;     //!< Poisson gaps
    EventId m_next;                           //!< next arrival
    // The socket callbacks, built once: a Callback is costly to construct.
    Callback<void, Ptr<Socket>> m_onConnected;     //!< ConnectionSucceeded
    Callback<void, Ptr<Socket>> m_onConnectFailed; //!< ConnectionFailed
    Callback<void, Ptr<Socket>> m_onRead;          //!< HandleRead
    Callback<void, Ptr<Socket>> m_onPeerClose;     //!< HandlePeerClose
    /// Per-connection progress: the socket and the response bytes so far.
    std::unordered_map<Socket*, std::pair<Ptr<Socket>, uint32_t>> m_conns;
    uint64_t m_attempted{0};                    //!< attempts
    uint64_t m_connected{0};                    //!< established
    uint64_t m_completed{0};                    //!< exchanges completed
    std::map<std::string, uint64_t> m_failures; //!< by errno

    TracedCallback<std::string> m_resultTrace; //!< outcomes
    TracedCallback<> m_completeTrace;          //!< completed exchanges
};

} // namespace ns3

#endif // TCP_CLIENT_PROCESS_H
