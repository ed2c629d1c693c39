/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef UDP_CLIENT_PROCESS_H
#define UDP_CLIENT_PROCESS_H

#include "apps/arrival-gaps.h"
#include "apps/remote-list.h"

#include "ns3/address.h"
#include "ns3/application.h"
#include "ns3/event-id.h"
#include "ns3/packet.h"
#include "ns3/random-variable-stream.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"

#include <map>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief A UDP client process: sends RequestSize datagrams at a constant or Poisson rate,
 * round-robin over its destinations, and counts the answers and every error by Linux errno.
 *
 * Connected = false: one socket, sendto() per datagram (the port is bound implicitly by the
 * first send, or by bind(0) first with BindBeforeSend). Connected = true: one socket per
 * destination, connect()ed once at the start, send() per datagram; such a socket reports an
 * ICMP port unreachable as ECONNREFUSED on its next receive or send (as Linux does; portlab's
 * UDP only).
 */
class UdpClientProcess : public Application
{
  public:
    /// \return the object TypeId
    static TypeId GetTypeId();

    UdpClientProcess();
    ~UdpClientProcess() override;

    /**
     * \param stream first stream index
     * \return streams used
     */
    int64_t AssignStreams(int64_t stream);

    /// \return send attempts (sent + failed sends)
    uint64_t GetAttempted() const
    {
        return m_attempts;
    }

    /// \return datagrams sent
    uint64_t GetSent() const
    {
        return m_sent;
    }

    /// \return answers received
    uint64_t GetReceived() const
    {
        return m_received;
    }

    /// \return failed bind, connect, send and receive calls by Linux errno name
    const std::map<std::string, uint64_t>& GetErrors() const
    {
        return m_errors;
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

    /// TracedCallback for errors: the call ("bind", "connect", "send", "recv") and the errno.
    typedef void (*ErrorTracedCallback)(std::string call, std::string error);

  protected:
    /// ns3::Object::DoDispose(): cancels the next send and drops the sockets.
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;
    void ScheduleNext();
    void SendOne();
    void HandleRead(Ptr<Socket> s);
    void Error(const std::string& call, Ptr<Socket> s);
    Ptr<Socket> NewSocket();
    void SetRemotesText(std::string text);
    std::string GetRemotesText() const;

    Address m_remote;                         //!< destination (if m_remotes is empty)
    RoundRobinRemotes m_remotes;              //!< destination set
    TypeId m_protocol;                        //!< socket factory
    double m_rate{100};                       //!< datagrams per second
    bool m_poisson{false};                    //!< Poisson (else constant) gaps
    uint64_t m_maxDatagrams{0};               //!< stop after this many (0: no limit)
    uint32_t m_requestSize{100};              //!< request bytes
    bool m_connected{false};                  //!< connect() once per destination
    bool m_bindBeforeSend{false};             //!< bind(0) first
    ArrivalGaps m_gaps;                       //!< the gaps between arrivals
    EventId m_next;                           //!< next datagram
    std::vector<Ptr<Socket>> m_sockets;       //!< one, or one per destination (Connected)
    std::vector<Address> m_targets;           //!< destinations, in rotation order (Connected)
    size_t m_nextSocket{0};                   //!< next socket (Connected)
    uint64_t m_attempts{0};                   //!< send attempts
    uint64_t m_sent{0};                       //!< datagrams sent
    uint64_t m_received{0};                   //!< answers received
    std::map<std::string, uint64_t> m_errors; //!< by errno

    TracedCallback<Ptr<const Packet>, const Address&> m_txTrace; //!< sent
    TracedCallback<Ptr<const Packet>, const Address&> m_rxTrace; //!< answers
    TracedCallback<std::string, std::string> m_errorTrace;       //!< errors
};

} // namespace ns3

#endif // UDP_CLIENT_PROCESS_H
