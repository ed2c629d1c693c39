/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_EPHEMERAL_PORT_SELECTOR_H
#define PORTLAB_EPHEMERAL_PORT_SELECTOR_H

#include "ports/port-types.h"
#include "ports/random-source.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief The table's answer to "may this port be taken?" during an ephemeral search.
 *
 * The selector decides the order in which candidates are tried; the table decides whether
 * each one is usable (bind conflict, 4-tuple uniqueness, reserved ports).
 */
class PortCandidateCheck
{
  public:
    virtual ~PortCandidateCheck() = default;

    /**
     * \param port the candidate
     * \param relaxed true in bind(0)'s ip_autobind_reuse pass
     * \return true if the port can be used (the search stops there)
     */
    virtual bool Usable(uint16_t port, bool relaxed) = 0;
};

/**
 * \ingroup portlab-ports
 * \brief The range an automatic assignment searches, after per-socket narrowing.
 */
struct EphemeralRange
{
    uint16_t low{32768};   //!< first port
    uint16_t high{60999};  //!< last port (inclusive)
    bool perSocket{false}; //!< IP_LOCAL_PORT_RANGE narrowed it (connect() then scans at step 1)
};

/**
 * \ingroup portlab-ports
 * \brief IP_LOCAL_PORT_RANGE's check: EINVAL when both ends are set and lo > hi.
 * \param lo low end (0 = unset) \param hi high end (0 = unset)
 * \return true if setsockopt() accepts the pair
 */
inline bool
LocalPortRangeValid(uint16_t lo, uint16_t hi)
{
    return lo == 0 || hi == 0 || lo <= hi;
}

/**
 * \ingroup portlab-ports
 * \brief inet_sk_get_local_port_range(): a socket's IP_LOCAL_PORT_RANGE narrows the host's
 * range; an end outside it is ignored; any per-socket range makes connect() scan at step 1.
 * \param hostLow ip_local_port_range low \param hostHigh ip_local_port_range high
 * \param sockLo the socket's low end (0 = unset) \param sockHi its high end (0 = unset)
 * \return the range an automatic assignment searches
 */
EphemeralRange SocketPortRange(uint16_t hostLow,
                               uint16_t hostHigh,
                               uint16_t sockLo,
                               uint16_t sockHi);

/**
 * \ingroup portlab-ports
 * \brief Chooses ephemeral ports; Linux's algorithm is the default, others can plug in for
 * comparisons (sequential, random, RFC 6056 variants).
 *
 * A selector only decides the order in which candidate ports are tried: the table's
 * PortCandidateCheck applies every other rule (reserved ports, bind conflicts, 4-tuple
 * uniqueness and TIME_WAIT takeover), and the range comes from ip_local_port_range and
 * IP_LOCAL_PORT_RANGE (SocketPortRange()).
 */
class EphemeralPortSelector
{
  public:
    virtual ~EphemeralPortSelector() = default;

    /// \return the algorithm's name
    virtual const char* Name() const = 0;

    /**
     * \brief TCP connect() with no bound port.
     * \param range the range
     * \param localAddr the source address the connection will use
     * \param remoteAddr destination address
     * \param remotePort destination port
     * \param now current time (Linux reshuffles the per-destination offset every 10 s)
     * \param check the table's usability test
     * \return the chosen port, or 0 if none (EADDRNOTAVAIL)
     */
    virtual uint16_t SelectConnectPort(const EphemeralRange& range,
                                       Ipv4 localAddr,
                                       Ipv4 remoteAddr,
                                       uint16_t remotePort,
                                       TimeNs now,
                                       PortCandidateCheck& check) = 0;

    /**
     * \brief TCP bind() to port 0 (and listen() on an unbound socket).
     * \param range the range
     * \param reuseAddr the socket has SO_REUSEADDR (searches the lower half first)
     * \param autobindReuse net.ipv4.ip_autobind_reuse
     * \param check the table's usability test
     * \return the chosen port, or 0 if none (EADDRINUSE)
     */
    virtual uint16_t SelectBindPort(const EphemeralRange& range,
                                    bool reuseAddr,
                                    bool autobindReuse,
                                    PortCandidateCheck& check) = 0;

    /**
     * \brief UDP bind() to port 0 and UDP autobind.
     * \param range the range
     * \param check the table's usability test
     * \return the chosen port, or 0 if none
     */
    virtual uint16_t SelectUdpPort(const EphemeralRange& range, PortCandidateCheck& check) = 0;
};

/**
 * \ingroup portlab-ports
 * \brief Linux 6.18's algorithms (reference §2, §3.1, §7.1).
 *
 * - connect(): a per-destination offset (keyed hash of source, destination, port and the
 *   10-second epoch) indexes a 65,536-entry perturbation table; ports of low's parity are
 *   tried first (even by default), then the other parity; after a success the entry advances
 *   by max(i, random(8)*step) + step.
 * - bind(0): random odd offset (odd ports first by default), SO_REUSEADDR sockets search the
 *   lower half first, then the upper; with ip_autobind_reuse a relaxed second pass.
 * - UDP: random start, stride by an odd multiple of the hash size, no parity preference.
 *
 * The perturbation table starts sparse: an entry's initial random value is a keyed hash of
 * its index, and only entries that have moved are kept, so hosts that connect to few
 * destinations cost a few bytes instead of 256 KiB. Past DENSE_AFTER moved entries it becomes
 * the plain 65,536-entry array Linux has, so busy hosts pay no hash lookup per connect().
 */
class LinuxEphemeralPortSelector : public EphemeralPortSelector
{
  public:
    /// Linux's INET_TABLE_PERTURB_SIZE (1 << CONFIG_INET_TABLE_PERTURB_ORDER, order 16).
    static constexpr uint32_t TABLE_PERTURB_SIZE = 1u << 16;
    /// Linux's EPHEMERAL_PORT_SHUFFLE_PERIOD (10 * HZ).
    static constexpr TimeNs PORT_SHUFFLE_PERIOD = 10 * NS_PER_SECOND;
    /// Moved entries beyond which the table is stored densely (the sparse map costs more).
    static constexpr size_t DENSE_AFTER = 4096;
    /// UDP hash slots (udptable->mask + 1) on a 24 GiB machine.
    static constexpr uint32_t UDP_HASH_SLOTS = 16384;

    /**
     * \param rng random source (must outlive the selector)
     * \param secret per-host secret (Linux: net_secret, random per boot)
     * \param denseAfter moved entries past which the table is stored densely (the choices
     *        do not depend on it)
     */
    LinuxEphemeralPortSelector(RandomSource& rng, uint64_t secret, size_t denseAfter = DENSE_AFTER);

    const char* Name() const override
    {
        return "linux";
    }

    uint16_t SelectConnectPort(const EphemeralRange& range,
                               Ipv4 localAddr,
                               Ipv4 remoteAddr,
                               uint16_t remotePort,
                               TimeNs now,
                               PortCandidateCheck& check) override;

    uint16_t SelectBindPort(const EphemeralRange& range,
                            bool reuseAddr,
                            bool autobindReuse,
                            PortCandidateCheck& check) override;

    uint16_t SelectUdpPort(const EphemeralRange& range, PortCandidateCheck& check) override;

    /// \return how many perturbation-table entries have moved from their initial value
    size_t TouchedPerturbEntries() const
    {
        return m_perturbDense.empty() ? m_perturbDelta.size() : TABLE_PERTURB_SIZE;
    }

  private:
    /// \param index table index \return the table entry's current value
    uint32_t Perturb(uint32_t index) const;

    /// \param index table index \param by amount added to the entry
    void Advance(uint32_t index, uint32_t by);

    /// \param index table index \return the entry's initial random value
    uint32_t Initial(uint32_t index) const;

    RandomSource& m_rng;                                   //!< random source
    uint64_t m_secret;                                     //!< keyed-hash secret
    size_t m_denseAfter;                                   //!< sparse -> dense threshold
    std::unordered_map<uint32_t, uint32_t> m_perturbDelta; //!< moved entries: index -> delta
    std::vector<uint32_t> m_perturbDense;                  //!< the whole table, once dense
};

/**
 * \ingroup portlab-ports
 * \brief Base of the algorithms other than Linux's: each chooses a port in its own order over
 * the whole range [low, high] (step 1, no parity or half preference), and this class applies
 * the rules around the choice the way Linux does.
 *
 * - connect(): the destination (source address, destination address and port, keyed with the
 *   host secret) is passed to the algorithm; bind(0) and UDP pass none (key 0).
 * - bind(0): with net.ipv4.ip_autobind_reuse a second, relaxed pass in the algorithm's order.
 * - TCP and UDP keep separate state (as ns-3's and BSD's per-protocol tables).
 *
 * Every algorithm tries each port of the range at least once before it gives up, so only the
 * order differs from Linux's (which, for an odd-sized range, never tries the last port for
 * connect(): `remaining &= ~1`).
 */
class PortOrderSelector : public EphemeralPortSelector
{
  public:
    /// \param secret per-host secret for the destination hash
    explicit PortOrderSelector(uint64_t secret);

    uint16_t SelectConnectPort(const EphemeralRange& range,
                               Ipv4 localAddr,
                               Ipv4 remoteAddr,
                               uint16_t remotePort,
                               TimeNs now,
                               PortCandidateCheck& check) final;

    uint16_t SelectBindPort(const EphemeralRange& range,
                            bool reuseAddr,
                            bool autobindReuse,
                            PortCandidateCheck& check) final;

    uint16_t SelectUdpPort(const EphemeralRange& range, PortCandidateCheck& check) final;

  protected:
    /// One search: what the algorithm may base its order on.
    struct Request
    {
        uint16_t low;  //!< first port of the range
        uint32_t size; //!< ports in the range (high - low + 1)
        uint64_t key;  //!< keyed hash of the destination (connect()), else 0
        int table;     //!< 0 TCP, 1 UDP: which state to use
        bool relaxed;  //!< bind(0)'s ip_autobind_reuse pass
    };

    /**
     * \brief The algorithm: try candidates in its order until one is usable.
     * \param r the search \param check the table's usability test
     * \return the chosen port, or 0 if no port of the range is usable
     */
    virtual uint16_t Choose(const Request& r, PortCandidateCheck& check) = 0;

    /**
     * \brief Tries low + (start + i) mod size for i = 0, 1, ... size - 1: every port once,
     * upwards from start, wrapping to low.
     * \param r the search \param start offset of the first candidate (< size)
     * \param check the test \param tries receives the 1-based index of the chosen candidate
     * \return the first usable port, or 0
     */
    static uint16_t ScanUp(const Request& r,
                           uint32_t start,
                           PortCandidateCheck& check,
                           uint32_t* tries = nullptr);

  private:
    uint64_t m_secret; //!< destination-hash secret
};

/**
 * \ingroup portlab-ports
 * \return the algorithms' names (the `port_selector` scenario values), Linux's first
 */
const std::vector<std::string>& EphemeralPortSelectorNames();

/**
 * \ingroup portlab-ports
 * \brief Make an algorithm by name, with its default parameters.
 * \param name one of EphemeralPortSelectorNames()
 * \param rng random source (must outlive the selector)
 * \param secret per-host secret
 * \return the selector, or null for an unknown name
 */
std::unique_ptr<EphemeralPortSelector> MakeEphemeralPortSelector(const std::string& name,
                                                                 RandomSource& rng,
                                                                 uint64_t secret);

} // namespace portlab

#endif // PORTLAB_EPHEMERAL_PORT_SELECTOR_H
