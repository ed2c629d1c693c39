/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_PORT_GUESS_METER_H
#define PORTLAB_PORT_GUESS_METER_H

#include <cstdint>
#include <unordered_map>

namespace portlab
{

/**
 * \ingroup portlab-scenario
 * \brief How predictable a host's ephemeral ports are: the fraction of connect()s whose port
 * an off-path observer guessed, knowing the previous port and every step seen so far.
 *
 * The observer guesses "previous port + the most frequent step so far" (steps modulo 65,536;
 * +1 before any step is seen) and learns the true step after each guess, which is the best
 * single guess against an algorithm whose steps repeat (sequential: +1, hash-based: +1 per
 * destination, Linux: +2 a quarter of the time, random increments: any of 1..N) and no worse
 * than chance against one whose ports are independent (random: 1 in the range's size).
 *
 * The run reports it per host as the metric METRIC when the scenario names a port selector
 * (`port_selector`, `group.G.port_selector` or `host.Gn.port_selector`) and the host chose at
 * least two ports by connect().
 */
class PortGuessMeter
{
  public:
    /// The host metric's name in summary.json, expectations and sweeps.
    static constexpr const char* METRIC = "port_guess";

    /// \param port the next port connect() chose
    void Observe(uint16_t port);

    /// \return guesses made (ports observed after the first)
    uint64_t Guesses() const
    {
        return m_guesses;
    }

    /// \return guesses that were right
    uint64_t Hits() const
    {
        return m_hits;
    }

    /// \return Hits() / Guesses(), 0 before any guess
    double Probability() const
    {
        return m_guesses == 0 ? 0.0 : static_cast<double>(m_hits) / m_guesses;
    }

  private:
    bool m_havePrevious{false};                     //!< a port was observed
    uint16_t m_previous{0};                         //!< the last port observed
    std::unordered_map<uint16_t, uint32_t> m_steps; //!< step -> times seen
    uint16_t m_bestStep{1};                         //!< the most frequent step so far
    uint32_t m_bestCount{0};                        //!< its count
    uint64_t m_guesses{0};                          //!< guesses made
    uint64_t m_hits{0};                             //!< right guesses
};

} // namespace portlab

#endif // PORTLAB_PORT_GUESS_METER_H
