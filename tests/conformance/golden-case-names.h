/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_GOLDEN_CASE_NAMES_H
#define PORTLAB_GOLDEN_CASE_NAMES_H

#include <string>

namespace portlab
{

/**
 * \brief The probe's name of a server-restart case ("server_restart_old0_servercloses_new1").
 * \param oldReuse the old listener had SO_REUSEADDR
 * \param serverCloses the server closed first
 * \param newReuse the new socket has SO_REUSEADDR
 * \return the case name
 */
inline std::string
ServerRestartCaseName(bool oldReuse, bool serverCloses, bool newReuse)
{
    return std::string("server_restart_old") + (oldReuse ? "1" : "0") + "_" +
           (serverCloses ? "server" : "client") + "closes_new" + (newReuse ? "1" : "0");
}

/**
 * \brief The probe's key of one bind_matrix pair ("tcp 0.0.0.0/ra/listen then 127.0.0.1/rp").
 * \param kind "tcp" or "udp"
 * \param addr1 first socket's address \param opts1 its options ("none", "ra", "rp", "both")
 * \param listenFirst the first socket listened before the second bind
 * \param addr2 second socket's address \param opts2 its options
 * \return the key
 */
inline std::string
BindMatrixKey(const std::string& kind,
              const std::string& addr1,
              const std::string& opts1,
              bool listenFirst,
              const std::string& addr2,
              const std::string& opts2)
{
    return kind + " " + addr1 + "/" + opts1 + (listenFirst ? "/listen" : "") + " then " + addr2 +
           "/" + opts2;
}

} // namespace portlab

#endif // PORTLAB_GOLDEN_CASE_NAMES_H
