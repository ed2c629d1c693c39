/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef CLOSE_POLICY_H
#define CLOSE_POLICY_H

#include "ns3/attribute.h"
#include "ns3/socket.h"

#include <string>

namespace ns3
{

/**
 * \ingroup portlab-apps
 * \brief Who closes a request/response connection first.
 */
enum ClosePolicy
{
    CLOSE_CLIENT_FIRST, //!< the client closes after the response; the server closes on its FIN
    CLOSE_SERVER_FIRST, //!< the server closes after replying; the client closes on its FIN
    CLOSE_LINGER_ZERO,  //!< the closer sets SO_LINGER {1, 0}: RST, no TIME_WAIT
};

/**
 * \ingroup portlab-apps
 * \brief The one spelling of a close policy, in attributes and scenario files alike.
 * \param policy a policy
 * \return "client-first", "server-first" or "linger0"
 */
std::string ClosePolicyName(ClosePolicy policy);

/**
 * \ingroup portlab-apps
 * \brief Read a close policy's name (as ClosePolicyName() writes it).
 * \param name the name
 * \param policy set to the policy when \p name is one
 * \return whether \p name names a policy
 */
bool ParseClosePolicy(const std::string& name, ClosePolicy& policy);

/**
 * \ingroup portlab-apps
 * \return the checker of ClosePolicy attributes, with the names of ClosePolicyName()
 */
Ptr<const AttributeChecker> MakeClosePolicyChecker();

/**
 * \ingroup portlab-apps
 * \brief An application is done with a connection: drop its callbacks and close it, with
 * SO_LINGER {1, 0} first when \p rst (an RST instead of a FIN, no TIME_WAIT).
 * \param socket the connection
 * \param rst close with RST
 */
void DetachAndClose(Ptr<Socket> socket, bool rst);

} // namespace ns3

#endif // CLOSE_POLICY_H
