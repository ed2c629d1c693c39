/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TCP_SERVER_PROCESS_H
#define TCP_SERVER_PROCESS_H

#include "apps/close-policy.h"

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief Whether a restarted TcpServerProcess sets SO_REUSEADDR on its new listener.
 */
enum RestartReuseAddr
{
    RESTART_REUSE_SAME, //!< as the ReuseAddr attribute
    RESTART_REUSE_ON,   //!< SO_REUSEADDR on
    RESTART_REUSE_OFF,  //!< SO_REUSEADDR off
};

/**
 * \ingroup portlab-apps
 * \brief A TCP server process: listens with socket options and a backlog, accepts, reads
 * requests of RequestSize bytes, answers each with ResponseSize bytes (RequestsPerConnection
 * times on one connection), and closes by policy.
 *
 * A restart (RestartAt) closes the listener as a dying process would (handshakes not yet
 * accepted are lost as the transport decides; accepted connections keep being served and
 * closed by policy), then binds a new listener after RestartDelay, retrying every
 * RestartRetryInterval while bind() fails: with server-side TIME_WAITs and no SO_REUSEADDR
 * that is EADDRINUSE until they expire. Every bind result is traced and kept
 * (GetBindHistory).
 *
 * Works on any TcpSocketFactory: options the socket type lacks (ReuseAddr, ReusePort on ns-3's
 * own TCP) are skipped. With LinuxStackHelper the bind result carries Linux's errno and the
 * listener's accept-queue drops are counted (ListenDrop).
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

    /// \return every bind() result so far, initial and after the restart, in time order
    const std::vector<std::pair<Time, std::string>>& GetBindHistory() const
    {
        return m_bindHistory;
    }

    /// \return bind() attempts made since the restart
    uint32_t GetRestartBindAttempts() const
    {
        return m_restartAttempts;
    }

    /// \return when the restarted listener's bind() succeeded; Seconds(-1) if it never did
    Time GetRestartedAt() const
    {
        return m_restartedAt;
    }

    /// \return handshakes the listener dropped (SYN queue or accept queue full; portlab's TCP)
    uint64_t GetListenDrops() const
    {
        return m_listenDrops;
    }

    /// \return true while a listener is bound and listening
    bool IsListening() const
    {
        return m_listener != nullptr;
    }

    /// TracedCallback for bind results: "ok" or Linux's errno name.
    typedef void (*BindTracedCallback)(std::string result);

    /**
     * TracedCallback signature of the Listening trace.
     * \param listening whether the process now listens
     */
    typedef void (*ListeningTracedCallback)(bool listening);

    /// TracedCallback for listener drops: 1 SYN queue full, 2 accept queue full, 3 final ACK
    /// with the accept queue full.
    typedef void (*ListenDropTracedCallback)(uint32_t reason);

  protected:
    /// ns3::Object::DoDispose(): cancels pending events, drops the listener and connections.
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;
    /// \brief Create, bind and listen; record the result. \param reuseAddr SO_REUSEADDR
    /// \return true if listening
    bool OpenListener(bool reuseAddr);
    void CloseListener();
    /// The process stops calling accept() (AcceptStop).
    void StopAccepting();
    void Restart();
    void RestartBind();
    void HandleListenDrop(uint32_t reason);
    void HandleAccept(Ptr<Socket> s, const Address& from);
    void HandleRead(Ptr<Socket> s);
    void HandlePeerClose(Ptr<Socket> s);
    void Finish(Ptr<Socket> s, bool rst);

    /// Per-connection progress.
    struct Conn
    {
        Ptr<Socket> socket;   //!< the connection
        uint32_t received{0}; //!< request bytes not yet answered
        uint32_t replied{0};  //!< responses sent
    };

    Address m_local;                                     //!< where to listen
    TypeId m_protocol;                                   //!< socket factory
    bool m_reuseAddr{false};                             //!< SO_REUSEADDR
    bool m_reusePort{false};                             //!< SO_REUSEPORT
    int64_t m_backlog{-1};                               //!< listen backlog (-1: somaxconn)
    uint32_t m_requestSize{100};                         //!< bytes to read before answering
    uint32_t m_responseSize{100};                        //!< bytes to answer
    ClosePolicy m_policy{CLOSE_CLIENT_FIRST};            //!< who closes
    uint32_t m_requestsPerConnection{1};                 //!< exchanges per connection
    Time m_restartAt;                                    //!< restart time (0: never)
    Time m_restartDelay;                                 //!< listener closed -> new bind
    RestartReuseAddr m_restartReuse{RESTART_REUSE_SAME}; //!< SO_REUSEADDR after restart
    Time m_restartRetry;                                 //!< between failed binds
    uint32_t m_restartMaxAttempts{0};                    //!< bind attempts (0: until stopped)
    Time m_acceptStop{Seconds(-1)};  //!< stop calling accept() (negative: never)
    EventId m_acceptStopEvent;       //!< pending StopAccepting
    bool m_accepting{true};          //!< still calling accept()
    EventId m_restartEvent;          //!< restart or next bind attempt
    uint32_t m_restartAttempts{0};   //!< bind attempts since the restart
    Time m_restartedAt{Seconds(-1)}; //!< new listener bound
    uint64_t m_listenDrops{0};       //!< listener drops
    std::vector<std::pair<Time, std::string>> m_bindHistory; //!< (time, result)
    Ptr<Socket> m_listener;                                  //!< listening socket
    std::unordered_map<Socket*, Conn> m_conns;               //!< open connections
    uint64_t m_accepted{0};                                  //!< accepted so far
    uint64_t m_served{0};                                    //!< responses sent
    std::string m_bindResult;                                //!< last bind result
    Callback<void, Ptr<Socket>> m_onRead;                    //!< HandleRead, built once
    Callback<void, Ptr<Socket>> m_onPeerClose;               //!< HandlePeerClose, built once

    TracedCallback<std::string> m_bindTrace;                   //!< bind results
    TracedCallback<Ptr<Socket>, const Address&> m_acceptTrace; //!< accepted connections
    TracedCallback<uint32_t> m_listenDropTrace;                //!< listener drops
    TracedCallback<> m_restartTrace;                           //!< listener closed to restart
    TracedCallback<bool> m_listeningTrace;                     //!< listener opened or closed
    TracedCallback<Ptr<Socket>> m_servedTrace;                 //!< a response was sent
};

} // namespace ns3

#endif // TCP_SERVER_PROCESS_H
