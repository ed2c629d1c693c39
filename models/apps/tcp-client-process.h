/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TCP_CLIENT_PROCESS_H
#define TCP_CLIENT_PROCESS_H

#include "apps/arrival-gaps.h"
#include "apps/remote-list.h"
#include "apps/tcp-server-process.h"

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/random-variable-stream.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief A TCP client process: opens connections at a constant or Poisson rate (open loop) or
 * keeps Concurrency connections in flight (closed loop), round-robin over its destinations,
 * makes RequestsPerConnection request/response exchanges on each, and closes by policy,
 * counting every outcome by Linux errno (EADDRNOTAVAIL when ports run out, ECONNREFUSED,
 * ETIMEDOUT, ...).
 *
 * Destinations: the "Remotes" list ("10.0.0.1:80,10.0.0.2:80", or SetRemotes/AddRemote) if
 * not empty, else the single "Remote".
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

    /// \return the most connections open at once so far
    size_t GetMaxOpen() const
    {
        return m_maxOpen;
    }

    /// \return connections that ended (peer close or reset) before their last exchange
    uint64_t GetIncomplete() const
    {
        return m_incomplete;
    }

    /// \return established connections that failed later, by Linux errno (ECONNRESET ...)
    const std::map<std::string, uint64_t>& GetAborted() const
    {
        return m_aborted;
    }

    /// \param remotes the destination set, in round-robin order (replaces "Remotes")
    void SetRemotes(const std::vector<Address>& remotes);

    /// \param remote one more destination, last in the round-robin order
    void AddRemote(const Address& remote);

    /// \return the destination set ("Remote" is used when it is empty)
    const std::vector<Address>& GetRemotes() const
    {
        return m_remotes.Get();
    }

    /// TracedCallback for connection outcomes: "ok" or an errno name.
    typedef void (*ResultTracedCallback)(std::string result);

    /// TracedCallback for an established connection: its local and remote address and port.
    typedef void (*EstablishedTracedCallback)(const Address& local, const Address& remote);

  protected:
    /// ns3::Object::DoDispose(): cancels the next arrival and drops the connections.
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;
    void ScheduleNext();
    void NewConnection();
    /// \brief A closed-loop slot is free. \param afterFailure wait RetryGap first
    void Replace(bool afterFailure);
    /// \return true if MaxConnections attempts were made
    bool Exhausted() const;
    void Fail(Ptr<Socket> s, const std::string& why);
    void SendRequest(Ptr<Socket> s);
    void ExchangeDone(Ptr<Socket> s);
    void SetRemotesText(std::string text);
    std::string GetRemotesText() const;
    void ConnectionSucceeded(Ptr<Socket> s);
    void ConnectionFailed(Ptr<Socket> s);
    void HandleRead(Ptr<Socket> s);
    void HandlePeerClose(Ptr<Socket> s);
    void HandleErrorClose(Ptr<Socket> s);
    void Finish(Ptr<Socket> s, bool rst);

    Address m_remote;                         //!< destination (if m_remotes is empty)
    RoundRobinRemotes m_remotes;              //!< destination set
    uint32_t m_concurrency{0};                //!< closed loop: connections in flight
    Time m_retryGap;                          //!< closed loop: wait after a failure
    uint32_t m_requestsPerConnection{1};      //!< exchanges per connection
    bool m_running{false};                    //!< between start and stop
    TypeId m_protocol;                        //!< socket factory
    double m_rate{100};                       //!< connections per second
    bool m_poisson{false};                    //!< Poisson (else constant) arrivals
    uint64_t m_maxConnections{0};             //!< stop after this many (0: no limit)
    uint32_t m_requestSize{100};              //!< request bytes
    uint32_t m_responseSize{100};             //!< response bytes expected
    ClosePolicy m_policy{CLOSE_CLIENT_FIRST}; //!< who closes
    bool m_bindBeforeConnect{false};          //!< bind(0) before connect()
    bool m_bindAddressNoPort{false};          //!< IP_BIND_ADDRESS_NO_PORT with the bind
    ArrivalGaps m_gaps;                       //!< the gaps between arrivals
    EventId m_next;                           //!< next arrival

    /// Per-connection progress.
    struct Conn
    {
        Ptr<Socket> socket; //!< the connection
        uint32_t got{0};    //!< response bytes of the current exchange
        uint32_t done{0};   //!< exchanges completed
    };

    std::unordered_map<Socket*, Conn> m_conns; //!< open connections
    size_t m_maxOpen{0};                       //!< most open at once
    uint64_t m_incomplete{0};                  //!< ended before the last exchange
    std::map<std::string, uint64_t> m_aborted; //!< established, then failed, by errno
    // The socket callbacks, built once: a Callback is costly to construct.
    Callback<void, Ptr<Socket>> m_onConnected;     //!< ConnectionSucceeded
    Callback<void, Ptr<Socket>> m_onConnectFailed; //!< ConnectionFailed
    Callback<void, Ptr<Socket>> m_onRead;          //!< HandleRead
    Callback<void, Ptr<Socket>> m_onPeerClose;     //!< HandlePeerClose
    Callback<void, Ptr<Socket>> m_onErrorClose;    //!< HandleErrorClose
    uint64_t m_attempted{0};                       //!< attempts
    uint64_t m_connected{0};                       //!< established
    uint64_t m_completed{0};                       //!< exchanges completed
    std::map<std::string, uint64_t> m_failures;    //!< by errno

    TracedCallback<std::string> m_resultTrace; //!< outcomes
    TracedCallback<std::string> m_abortTrace;  //!< established, then failed: the errno
    TracedCallback<const Address&, const Address&> m_establishedTrace; //!< (local, remote)
    TracedCallback<> m_completeTrace;                                  //!< completed exchanges
    TracedCallback<> m_attemptTrace;                                   //!< connections started
    TracedCallback<> m_incompleteTrace; //!< connections closed before their last exchange
};

} // namespace ns3

#endif // TCP_CLIENT_PROCESS_H
