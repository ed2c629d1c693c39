/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_PORT_SYSCTLS_H
#define PORTLAB_PORT_SYSCTLS_H

#include "ports/port-types.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace portlab
{

/**
 * \ingroup portlab-ports
 * \brief A bad setting: the message names the setting, the value and what is allowed.
 */
class SysctlError : public std::invalid_argument
{
  public:
    /// \param what the full message
    explicit SysctlError(const std::string& what)
        : std::invalid_argument(what)
    {
    }
};

/**
 * \ingroup portlab-ports
 * \brief A set of reserved ports (net.ipv4.ip_local_reserved_ports): a 65,536-bit bitmap.
 */
class ReservedPorts
{
  public:
    /// \param port a port \return true if reserved
    bool Contains(uint16_t port) const
    {
        return !m_bits.empty() && ((m_bits[port >> 6] >> (port & 63)) & 1);
    }

    /// \param port a port to reserve
    void Add(uint16_t port)
    {
        if (m_bits.empty())
        {
            m_bits.assign(1024, 0);
        }
        m_bits[port >> 6] |= uint64_t{1} << (port & 63);
    }

    /// \return true if no port is reserved
    bool Empty() const
    {
        return m_bits.empty();
    }

    /**
     * \brief Parse Linux's syntax: comma-separated ports and ranges ("8080,9000-9010"),
     *        empty for none.
     * \param text the value
     * \return the set
     * \throws SysctlError naming the bad element
     */
    static ReservedPorts Parse(const std::string& text);

    /// \return the set in Linux's syntax (ranges collapsed)
    std::string ToString() const;

  private:
    std::vector<uint64_t> m_bits; //!< bit p set = port p reserved; empty when none (hosts are many)
};

/**
 * \ingroup portlab-ports
 * \brief Per-host settings under their Linux names, with Linux's defaults.
 *
 * Defaults are those of Linux 6.18 on a machine with 24 GiB of RAM (so the ehash-derived
 * limits are at their caps: tcp_max_tw_buckets 262144, tcp_max_syn_backlog 4096).
 * Names may be given with or without the "net.ipv4." / "net.core." prefix. What each setting
 * accepts, means and where it is stored is said once, in SysctlDescriptors().
 * Two settings are not Linux sysctls: "portlab.tcp_timewait_len" (TIME_WAIT length, fixed at
 * TCP_TIMEWAIT_LEN = 60 s in Linux) is an experiment knob, and "portlab.tcp_ts_offset" (what
 * keys the TSval offset, a property of the kernel version: see SecureTcpTsOff()).
 */
struct PortSysctls
{
    uint16_t ipLocalPortRangeLow{32768};   //!< net.ipv4.ip_local_port_range, low end
    uint16_t ipLocalPortRangeHigh{60999};  //!< net.ipv4.ip_local_port_range, high end
    ReservedPorts ipLocalReservedPorts;    //!< net.ipv4.ip_local_reserved_ports
    int64_t ipUnprivilegedPortStart{1024}; //!< net.ipv4.ip_unprivileged_port_start
    int64_t ipAutobindReuse{0};            //!< net.ipv4.ip_autobind_reuse (0/1)
    int64_t tcpTwReuse{2};                 //!< net.ipv4.tcp_tw_reuse (0 off, 1 on, 2 loopback)
    int64_t tcpTwReuseDelayMs{1000};       //!< net.ipv4.tcp_tw_reuse_delay (ms)
    int64_t tcpMaxTwBuckets{262144};       //!< net.ipv4.tcp_max_tw_buckets
    int64_t tcpFinTimeoutS{60};            //!< net.ipv4.tcp_fin_timeout (s)
    int64_t tcpTimestamps{1};              //!< net.ipv4.tcp_timestamps (0/1/2)
    int64_t tcpRfc1337{0};                 //!< net.ipv4.tcp_rfc1337 (0/1)
    int64_t somaxconn{4096};               //!< net.core.somaxconn
    int64_t tcpAbortOnOverflow{0};         //!< net.ipv4.tcp_abort_on_overflow (0/1)
    int64_t tcpSyncookies{1};              //!< net.ipv4.tcp_syncookies (0/1/2)
    int64_t tcpMaxSynBacklog{4096};        //!< net.ipv4.tcp_max_syn_backlog
    int64_t tcpMigrateReq{0};              //!< net.ipv4.tcp_migrate_req (0/1)
    int64_t tcpSynRetries{6};              //!< net.ipv4.tcp_syn_retries
    int64_t tcpSynLinearTimeouts{4};       //!< net.ipv4.tcp_syn_linear_timeouts
    int64_t tcpSynackRetries{5};           //!< net.ipv4.tcp_synack_retries
    int64_t tcpOrphanRetries{0};           //!< net.ipv4.tcp_orphan_retries (0 means 8)
    int64_t tcpInvalidRatelimitMs{500};    //!< net.ipv4.tcp_invalid_ratelimit (ms)
    int64_t timewaitLenMs{60000};          //!< portlab.tcp_timewait_len (ms), Linux: 60 s
    int64_t tcpTsOffset{2};                //!< portlab.tcp_ts_offset (TsOffsetKey)
    int64_t bindv6only{0};                 //!< net.ipv6.bindv6only (0/1)

    /**
     * \brief Set one setting from text, validating it: SysctlSetting::Parse, then
     *        SysctlSetting::ApplyTo this.
     * \param name Linux name, with or without its "net.ipv4."/"net.core." prefix
     * \param value the value as `sysctl -w` takes it ("32768 60999", "2", "8080,9000-9010")
     * \throws SysctlError naming the setting, the value and what is allowed
     */
    void Set(const std::string& name, const std::string& value);

    /**
     * \brief Read one setting as `sysctl -n` prints it.
     * \param name the setting's name
     * \return its value as text
     * \throws SysctlError if the name is unknown
     */
    std::string Get(const std::string& name) const;

    /// \return every setting's full name, in a stable order (that of SysctlDescriptors())
    static std::vector<std::string> Names();

    /**
     * \brief One line of help for a setting: meaning, default, allowed values.
     * \param name the setting's name
     * \return the help text
     * \throws SysctlError if the name is unknown
     */
    static std::string Help(const std::string& name);

    /// \return the TIME_WAIT length in nanoseconds
    TimeNs TimewaitLen() const
    {
        return timewaitLenMs * NS_PER_MS;
    }
};

/**
 * \ingroup portlab-ports
 * \brief How a setting's value is written and stored.
 */
enum class SysctlKind
{
    INT,        //!< one integer in [min, max], stored in an int64_t member of PortSysctls
    PORT_RANGE, //!< two ports "LOW HIGH" (net.ipv4.ip_local_port_range)
    PORT_LIST,  //!< a port list "8080,9000-9010" (net.ipv4.ip_local_reserved_ports)
};

/**
 * \ingroup portlab-ports
 * \brief A setting's value once parsed (which fields count depends on the SysctlKind).
 */
struct SysctlValue
{
    int64_t number{0};   //!< INT: the value; PORT_RANGE: the low end
    int64_t high{0};     //!< PORT_RANGE: the high end
    ReservedPorts ports; //!< PORT_LIST: the set
};

/**
 * \ingroup portlab-ports
 * \brief One setting's schema: the single place that says what a sysctl is called, what it
 * accepts, what it means and where it is stored. LinuxPortSpace makes its ns-3 attributes
 * from these (name ShortName(), range [min, max], help Help()); scenario keys, socket scripts,
 * LinuxStackHelper::SetSysctl and PortSysctls::Set all parse through Parse().
 */
struct SysctlDescriptor
{
    const char* fullName;         //!< as Linux spells it, e.g. "net.ipv4.tcp_tw_reuse"
    SysctlKind kind;              //!< how the value is written and stored
    int64_t PortSysctls::*member; //!< INT: where it is stored (null otherwise)
    int64_t min;                  //!< INT: smallest value allowed
    int64_t max;                  //!< INT: largest value allowed
    const char* allowed;          //!< the allowed values, for people
    const char* meaning;          //!< what it does and its default, for people

    /// \return the name without its prefix ("tcp_tw_reuse"): the accepted short form and the
    /// LinuxPortSpace attribute's name
    std::string ShortName() const;

    /// \return false for portlab's own settings ("portlab." names), which no kernel has
    bool IsLinux() const;

    /// \param name a full name, or a tail of it after a dot ("tcp_tw_reuse",
    /// "ipv4.tcp_tw_reuse") \return true if it names this setting
    bool Matches(const std::string& name) const;

    /// \return meaning and allowed values: `portlab sysctls` and the attribute's help
    std::string Help() const;

    /**
     * \brief Parse a value as `sysctl -w` takes it, checking what the value alone decides
     *        (syntax, [min, max], port bounds).
     * \param text the value
     * \return the value
     * \throws SysctlError naming the setting, the value and what is allowed
     */
    SysctlValue Parse(const std::string& text) const;

    /**
     * \brief Store a parsed value, checking what depends on other settings (the range's low
     *        end against ip_unprivileged_port_start); a rejected value changes nothing.
     * \param value the value (from Parse, or a number from an attribute)
     * \param text the value as written, for the message
     * \param sysctls where to store it
     * \throws SysctlError naming the setting, the value and what is allowed
     */
    void Apply(const SysctlValue& value, const std::string& text, PortSysctls& sysctls) const;

    /// \param sysctls settings \return this one's value as `sysctl -n` prints it
    std::string Get(const PortSysctls& sysctls) const;

    /// \param text the rejected value \throws SysctlError the one-line message
    [[noreturn]] void Fail(const std::string& text) const;
};

/**
 * \ingroup portlab-ports
 * \return the one table of settings, in a stable order
 */
const std::vector<SysctlDescriptor>& SysctlDescriptors();

/**
 * \ingroup portlab-ports
 * \param name a full or short name
 * \return its descriptor
 * \throws SysctlError listing the known settings if the name is unknown
 */
const SysctlDescriptor& LookupSysctl(const std::string& name);

/**
 * \ingroup portlab-ports
 * \brief A setting parsed once where it is written (scenario key, script line,
 * LinuxStackHelper::SetSysctl), then carried parsed to every host it applies to.
 */
struct SysctlSetting
{
    const SysctlDescriptor* descriptor{nullptr}; //!< which setting
    SysctlValue value;                           //!< its parsed value
    std::string text;                            //!< the value as written (messages, /proc/sys)

    /**
     * \param name a full or short name
     * \param text the value as `sysctl -w` takes it
     * \return the parsed setting
     * \throws SysctlError naming the setting, the value and what is allowed
     */
    static SysctlSetting Parse(const std::string& name, const std::string& text);

    /**
     * \brief Store it (SysctlDescriptor::Apply).
     * \param sysctls a host's settings
     * \throws SysctlError if another setting forbids the value
     */
    void ApplyTo(PortSysctls& sysctls) const
    {
        descriptor->Apply(value, text, sysctls);
    }

    /// \return the full name
    std::string Name() const
    {
        return descriptor->fullName;
    }
};

} // namespace portlab

#endif // PORTLAB_PORT_SYSCTLS_H
