/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef REMOTE_LIST_H
#define REMOTE_LIST_H

#include "ns3/address.h"

#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief Parse a destination list "10.0.0.1:80,10.0.0.2:80" (IPv4 "address:port" items
 * separated by commas; blanks around items are ignored; an empty text is an empty list).
 * \param text the list
 * \return the addresses, in the order written (the round-robin order)
 * \note a malformed item is a fatal error naming it
 */
std::vector<Address> ParseRemoteList(const std::string& text);

/**
 * \ingroup portlab-apps
 * \param remotes IPv4 socket addresses
 * \return them as ParseRemoteList reads them
 */
std::string FormatRemoteList(const std::vector<Address>& remotes);

/**
 * \ingroup portlab-apps
 * \brief Deterministic round-robin over a destination set: the explicit list if it is not
 * empty, else the single fallback address (an application's "Remote" attribute).
 */
class RoundRobinRemotes
{
  public:
    /// \param remotes the destination set (replaces the current one; restarts the rotation)
    void Set(const std::vector<Address>& remotes);

    /// \param remote one more destination, last in the rotation
    void Add(const Address& remote);

    /// \return the explicit destination set
    const std::vector<Address>& Get() const
    {
        return m_remotes;
    }

    /// \param fallback used when the set is empty \return false if there is no destination
    bool Valid(const Address& fallback) const;

    /**
     * \param fallback used when the set is empty
     * \return the next destination in the rotation
     */
    Address Next(const Address& fallback);

  private:
    std::vector<Address> m_remotes; //!< explicit destinations
    size_t m_next{0};               //!< next index in the rotation
};

} // namespace ns3

#endif // REMOTE_LIST_H
