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
    /// How the points are drawn.
    enum class Style
    {
        Lines,  ///< lines (with markers when there are few points), or steps (Figure::steps)
        Points, ///< markers only
        Bars,   ///< filled bars from 0 to y, Figure::barWidth wide, centred on x
        Cells,  ///< filled rectangles Figure::barWidth wide and high, centred on (x, y)
    };

    std::string title;         ///< legend entry, drawn literally; empty: no legend entry
    std::vector<double> x;     ///< abscissae
    std::vector<double> y;     ///< ordinates
    std::vector<double> yLow;  ///< lower ends of the error bars, or empty
    std::vector<double> yHigh; ///< upper ends of the error bars, or empty
    Style style = Style::Lines; ///< how the points are drawn
    std::string colour;         ///< "#RRGGBB"; empty: the palette's colour for its position
    int pointType = 0;          ///< gnuplot point type (5: filled square, 7: filled circle); 0: automatic
    double pointSize = 0;       ///< marker size (1: normal); 0: automatic
    bool dashed = false;        ///< dashed line (reference lines such as an even share)
    /// Text drawn at each point (empty strings draw nothing); empty vector: none. Centred on
    /// the point in white for Points and Cells, above it for Bars and Lines.
    std::vector<std::string> labels;
};

/// Free text in the plot, left-aligned at (x, y) in axis units.
struct Note
{
    double x;         ///< where the text starts
    double y;         ///< its baseline's middle
    std::string text; ///< drawn literally
};

/// A category name drawn as an axis tick at a position (categorical axes).
struct Tic
{
    double at;        ///< position on the axis
    std::string text; ///< label, drawn literally
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
    double xMin = NAN;          ///< lower end of the x axis; NaN: automatic
    double xMax = NAN;          ///< upper end of the x axis; NaN: automatic
    std::vector<Tic> xTics;     ///< categorical x ticks; empty: numeric ticks
    std::vector<Tic> yTics;     ///< categorical y ticks; empty: numeric ticks
    std::vector<Note> notes;    ///< free text
    double barWidth = 0.8;      ///< width of Series::Style::Bars in x units
    bool keyInside = false;     ///< legend in the top right corner inside the plot, one column
    double xTicAngle = 0;       ///< rotation of x tick labels in degrees (e.g. 30 for long names)
    int width = 1000;           ///< PNG/SVG width in pixels (the PDF scales with it)
    int height = 600;           ///< PNG/SVG height in pixels
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
