/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_STREAM_NUMBERS_H
#define PORTLAB_STREAM_NUMBERS_H

#include <cstdint>

namespace portlab
{

/**
 * \ingroup portlab-link
 * \brief Where each user of ns-3 random streams starts numbering, in a scenario and in a
 * socket script alike, so that the seed alone decides every random choice and no two users
 * share a stream. Each block is far larger than its users need (the stack takes a few
 * streams per host, a link's loss two). Changing a number changes every seeded output.
 */
namespace StreamNumbers
{
/// LinuxStackHelper::AssignStreams over every host (port space, ARP, TCP), in host order
constexpr int64_t STACK = 1;
/// the links' packet-loss error models (RateErrorModel), one per link end
constexpr int64_t LINK_LOSS = 1000000;
/// the apps' processes (ProcessHelper::AssignStreams), in app and host order
constexpr int64_t APPS = 2000000;
} // namespace StreamNumbers

} // namespace portlab

#endif // PORTLAB_STREAM_NUMBERS_H
