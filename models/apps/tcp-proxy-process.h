/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TCP_PROXY_PROCESS_H
#define TCP_PROXY_PROCESS_H

#include "apps/close-policy.h"
#include "apps/remote-list.h"

#include "ns3/address.h"
#include "ns3/application.h"
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
 * \brief A TCP reverse proxy process: listens on Local; for each request of RequestSize bytes
 * on an accepted client connection it opens one new upstream connection (round-robin over the
 * upstream set), forwards the request, reads ResponseSize bytes of response, closes the
 * upstream connection (the proxy closes first, so its TIME_WAITs towards the upstream pile up:
 * the classic upstream ephemeral-port exhaustion) and relays the response. After
 * RequestsPerConnection requests the client connection is closed by policy.
 *
 * An upstream failure (EADDRNOTAVAIL when the proxy host's ephemeral ports run out,
 * ECONNREFUSED, ETIMEDOUT, ..., or "EOF" when the upstream closes before the full response) is
 * counted by name and the client connection is reset.
 *
 * Upstreams: the "Upstreams" list ("10.0.0.1:80,10.0.0.2:80", or SetUpstreams/AddUpstream) if
 * not empty, else the single "Upstream".
 */
class TcpProxyProcess : public Application
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    TcpProxyProcess();
    ~TcpProxyProcess() override;

    /// \return the listener's bind() result: "ok" or Linux's errno name
    std::string GetBindResult() const
    {
        return m_bindResult;
    }

    /// \return client connections accepted
    uint64_t GetAccepted() const
    {
        return m_accepted;
    }

    /// \return upstream connections attempted
    uint64_t GetUpstreamAttempted() const
    {
        return m_upAttempted;
    }

    /// \return upstream connections established
    uint64_t GetUpstreamConnected() const
    {
        return m_upConnected;
    }

    /// \return upstream failures by Linux errno name ("EOF": closed before the full response)
    const std::map<std::string, uint64_t>& GetUpstreamFailures() const
    {
        return m_upFailures;
    }

    /// \return responses relayed to clients
    uint64_t GetRelayed() const
    {
        return m_relayed;
    }

    /// \return client connections open
    size_t GetOpen() const
    {
        return m_clients.size();
    }

    /// \return upstream connections open
    size_t GetUpstreamOpen() const
    {
        return m_upstreams.size();
    }

    /// \param upstreams the upstream set, in round-robin order (replaces "Upstreams")
    void SetUpstreams(const std::vector<Address>& upstreams);

    /// \param upstream one more upstream, last in the round-robin order
    void AddUpstream(const Address& upstream);

    /// \return the upstream set ("Upstream" is used when it is empty)
    const std::vector<Address>& GetUpstreams() const
    {
        return m_upstreamSet.Get();
    }

    /// TracedCallback for results: "ok" or Linux's errno name.
    typedef void (*ResultTracedCallback)(std::string result);

  protected:
    /// ns3::Object::DoDispose(): drops the listener and both sides' connections.
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;
    void HandleAccept(Ptr<Socket> s, const Address& from);
    void ClientRead(Ptr<Socket> s);
    void ClientClose(Ptr<Socket> s);
    void TryForward(Ptr<Socket> client);
    void OpenUpstream(Ptr<Socket> client);
    void UpstreamConnected(Ptr<Socket> up);
    void UpstreamConnectFailed(Ptr<Socket> up);
    void UpstreamRead(Ptr<Socket> up);
    void UpstreamNormalClose(Ptr<Socket> up);
    void UpstreamErrorClose(Ptr<Socket> up);
    /// \brief The upstream exchange failed. \param up the upstream \param client its client
    /// \param why errno name
    void UpstreamFail(Ptr<Socket> up, Ptr<Socket> client, const std::string& why);
    /// \brief The response is in: close upstream, relay. \param up the upstream
    void UpstreamDone(Ptr<Socket> up);
    void FinishClient(Ptr<Socket> client, bool rst);
    void SetUpstreamsText(std::string text);
    std::string GetUpstreamsText() const;

    /// A client connection.
    struct Client
    {
        Ptr<Socket> socket;   //!< the connection
        Ptr<Socket> upstream; //!< the upstream of the request in progress
        uint32_t received{0}; //!< request bytes not yet forwarded
        uint32_t served{0};   //!< responses relayed
    };

    /// An upstream connection.
    struct Upstream
    {
        Ptr<Socket> socket; //!< the connection
        Ptr<Socket> client; //!< the client it serves
        uint32_t got{0};    //!< response bytes so far
    };

    Address m_local;                                   //!< where to listen
    TypeId m_protocol;                                 //!< socket factory
    bool m_reuseAddr{false};                           //!< SO_REUSEADDR
    int64_t m_backlog{-1};                             //!< listen backlog
    Address m_upstream;                                //!< upstream (if m_upstreamSet is empty)
    RoundRobinRemotes m_upstreamSet;                   //!< upstream set
    uint32_t m_requestSize{100};                       //!< request bytes
    uint32_t m_responseSize{100};                      //!< response bytes
    uint32_t m_requestsPerConnection{1};               //!< requests per client connection
    ClosePolicy m_policy{CLOSE_CLIENT_FIRST};          //!< who closes the client connection
    bool m_bindBeforeConnect{false};                   //!< upstream bind(0) before connect()
    bool m_bindAddressNoPort{false};                   //!< with IP_BIND_ADDRESS_NO_PORT
    Ptr<Socket> m_listener;                            //!< listener
    std::string m_bindResult;                          //!< listener bind result
    std::unordered_map<Socket*, Client> m_clients;     //!< client connections
    std::unordered_map<Socket*, Upstream> m_upstreams; //!< upstream connections
    uint64_t m_accepted{0};                            //!< clients accepted
    uint64_t m_upAttempted{0};                         //!< upstream attempts
    uint64_t m_upConnected{0};                         //!< upstreams established
    uint64_t m_relayed{0};                             //!< responses relayed
    std::map<std::string, uint64_t> m_upFailures;      //!< upstream failures by errno

    TracedCallback<std::string> m_bindTrace;                   //!< listener bind result
    TracedCallback<Ptr<Socket>, const Address&> m_acceptTrace; //!< client accepted
    TracedCallback<std::string> m_upResultTrace;               //!< upstream outcomes
    TracedCallback<Ptr<Socket>> m_relayedTrace;                //!< response relayed
    TracedCallback<> m_upAttemptTrace;                         //!< upstream connects started
};

} // namespace ns3

#endif // TCP_PROXY_PROCESS_H
