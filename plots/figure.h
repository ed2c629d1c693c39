/*
 * portlab: Linux port semantics for ns-3.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PORTLAB_FIGURE_H
#define PORTLAB_FIGURE_H

#include <cmath>
#include <string>
#include <vector>

namespace portlab
{

/// \addtogroup portlab-plots
/// @{

/**
 * \brief One curve of a Figure: points (x[i], y[i]), optionally with an error bar per point.
 *
 * x and y have the same length. yLow and yHigh are either both empty (no error bars) or both
 * as long as x: they are the absolute lower and upper ends of the bar (e.g. a 95% confidence
 * interval), not offsets from y. A NaN y leaves a gap; infinite values are rejected.
 */
struct Series
{
    std::string title;         ///< legend entry, drawn literally; empty: no legend entry
    std::vector<double> x;     ///< abscissae
    std::vector<double> y;     ///< ordinates
    std::vector<double> yLow;  ///< lower ends of the error bars, or empty
    std::vector<double> yHigh; ///< upper ends of the error bars, or empty
};

/**
 * \brief A 2-D line figure, described independently of the renderer.
 *
 * Labels are drawn literally (no gnuplot "enhanced text": underscores, carets and quotes stay
 * as they are), so the caller writes units into them, e.g. "time (s)".
 */
struct Figure
{
    std::string title;          ///< figure title; empty: none
    std::string xLabel;         ///< x-axis label with its unit
    std::string yLabel;         ///< y-axis label with its unit
    std::vector<Series> series; ///< the curves, at least one with points
    bool logX = false;          ///< logarithmic x axis (all x must be > 0)
    bool logY = false;          ///< logarithmic y axis (non-positive y are not drawn)
    bool steps = false;         ///< draw step lines (counts over time) instead of straight lines
    double yMin = NAN;          ///< lower end of the y axis; NaN: automatic
    double yMax = NAN;          ///< upper end of the y axis; NaN: automatic
};

/**
 * \brief Renders a figure with gnuplot to stem + ".png", stem + ".svg" and, when gnuplot has
 * the pdfcairo terminal, stem + ".pdf".
 *
 * The same Figure always produces byte-identical files (the PDF's CreationDate is replaced by a
 * fixed date). Each file is written under a temporary name in the target directory and renamed
 * into place only after gnuplot succeeded, so a failed render leaves neither a half-written
 * figure nor a temporary file behind. gnuplot's own messages are kept off the terminal and
 * quoted in the exception when it fails.
 *
 * \param fig the figure
 * \param stem the output path without extension, e.g. "results/run1/ports-in-use"; its
 *        directory must exist
 * \return the paths written, PNG first, then SVG, then PDF if any
 * \throws std::invalid_argument if fig has no series, no series has points, a series' vectors
 *         differ in length, a value is infinite, or an axis range cannot be drawn
 * \throws std::runtime_error if gnuplot is not installed, fails, or the files cannot be written
 */
std::vector<std::string> RenderFigure(const Figure& fig, const std::string& stem);

/**
 * \brief Whether the installed gnuplot has the pdfcairo terminal (asked once per process).
 * \return true if it has
 * \throws std::runtime_error if gnuplot cannot be run
 */
bool GnuplotHasPdf();

/// @}

} // namespace portlab

#endif // PORTLAB_FIGURE_H
