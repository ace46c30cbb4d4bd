using FlipGuard.Core;
using ScottPlot;

namespace FlipGuard.Charts;

/// <summary>
/// PNG charts for results people would rather look at than read (spectra, loss landscapes, histograms).
/// One method per chart shape; each writes the file atomically and returns its path.
/// </summary>
public static class PngChart
{
    /// <summary>Default chart size in pixels.</summary>
    public const int Width = 800, Height = 500;

    /// <summary>One or more named line series over shared or separate x values.</summary>
    public static string Lines(string path, string title, string xLabel, string yLabel, IEnumerable<(string Name, double[] X, double[] Y)> series, bool logY = false)
    {
        var plot = new Plot();
        foreach (var (name, x, y) in series)
        {
            var ys = logY ? y.Select(v => Math.Log10(Math.Max(v, 1e-300))).ToArray() : y;
            var line = plot.Add.Scatter(x, ys);
            line.LegendText = name;
            line.MarkerSize = x.Length > 60 ? 0 : 4;
        }
        if (logY)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => $"1e{v:0}", MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator() };
        }
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, path, title, xLabel, yLabel);
    }

    /// <summary>
    /// Groups of lines, one colour and one legend entry per group (e.g. one line per attack seed, one group per
    /// checkpoint), with an optional dashed horizontal reference line (e.g. the target accuracy).
    /// </summary>
    public static string LineGroups(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Name, IReadOnlyList<(double[] X, double[] Y)> Lines)> groups, (string Name, double Y)? reference = null)
    {
        var plot = new Plot();
        for (int g = 0; g < groups.Count; g++)
        {
            var color = plot.Add.Palette.GetColor(g);
            foreach (var (x, y) in groups[g].Lines)
            {
                var line = plot.Add.Scatter(x, y);
                line.Color = color;
                line.MarkerSize = x.Length > 60 ? 0 : 3;
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = groups[g].Name, LineColor = color, LineWidth = 2 });
        }
        if (reference is { } r)
        {
            var h = plot.Add.HorizontalLine(r.Y);
            h.LinePattern = LinePattern.Dashed;
            h.Color = Colors.Gray;
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = r.Name, LineColor = Colors.Gray, LineWidth = 2, LinePattern = LinePattern.Dashed });
        }
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, path, title, xLabel, yLabel);
    }

    /// <summary>
    /// Per series a centre line (e.g. the median) inside a shaded band (e.g. 5th–95th percentile) over the same x, with
    /// an optional logarithmic x axis (values must then be positive).
    /// </summary>
    public static string Bands(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Name, double[] X, double[] Centre, double[] Low, double[] High)> series, bool logX = false)
    {
        var plot = new Plot();
        for (int s = 0; s < series.Count; s++)
        {
            var (name, x, centre, low, high) = series[s];
            double[] xs = logX ? x.Select(v => Math.Log10(v)).ToArray() : x;
            var color = plot.Add.Palette.GetColor(s);
            var band = plot.Add.FillY(xs, low, high);
            band.FillColor = color.WithAlpha(0.25);
            band.LineWidth = 0;
            var line = plot.Add.Scatter(xs, centre);
            line.Color = color;
            line.LegendText = name;
            line.MarkerSize = 5;
        }
        if (logX)
        {
            var all = series.SelectMany(s => s.X).Select(v => Math.Log10(v)).ToArray();
            int lo = (int)Math.Floor(all.Min()), hi = (int)Math.Ceiling(all.Max());
            var decades = Enumerable.Range(lo, hi - lo + 1).Select(k => (double)k).ToArray();
            plot.Axes.Bottom.SetTicks(decades, decades.Select(k => $"1e{k:0}").ToArray());
        }
        plot.ShowLegend(Alignment.LowerLeft);
        return Save(plot, path, title, xLabel, yLabel);
    }

    /// <summary>A 2-D scalar field as a heatmap with a colour bar (e.g. loss over two eigen-directions).</summary>
    public static string Heatmap(string path, string title, string xLabel, string yLabel, double[] x, double[] y, double[,] z, string colorLabel)
    {
        var plot = new Plot();
        // ScottPlot draws row 0 at the top; flip so y grows upwards.
        int rows = z.GetLength(0), cols = z.GetLength(1);
        var flipped = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) flipped[r, c] = z[rows - 1 - r, c];
        var map = plot.Add.Heatmap(flipped);
        map.Extent = new CoordinateRect(x[0], x[^1], y[0], y[^1]);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        var bar = plot.Add.ColorBar(map);
        bar.Label = colorLabel;
        return Save(plot, path, title, xLabel, yLabel);
    }

    /// <summary>Bars at the given positions (e.g. counts per bit position or per RAD bin).</summary>
    public static string Bars(string path, string title, string xLabel, string yLabel, double[] positions, double[] values)
    {
        var plot = new Plot();
        plot.Add.Bars(positions, values);
        plot.Axes.Margins(bottom: 0);
        return Save(plot, path, title, xLabel, yLabel);
    }

    /// <summary>
    /// Groups of bars side by side, one group per category and one colour per series (e.g. flips with RAD &gt; 10% and
    /// with RAD 90–100% per bit position). With <paramref name="logY"/> the axis is logarithmic: counts of 0 get no bar,
    /// and bars start at 0.5 so that a count of 1 is still visible.
    /// </summary>
    public static string GroupedBars(string path, string title, string xLabel, string yLabel, IReadOnlyList<string> categories,
        IReadOnlyList<(string Name, double[] Values)> series, bool logY = false)
    {
        var plot = new Plot();
        double width = 0.8 / Math.Max(1, series.Count);
        double floor = logY ? Math.Log10(0.5) : 0, top = floor;
        for (int s = 0; s < series.Count; s++)
        {
            var color = plot.Add.Palette.GetColor(s);
            var bars = new List<Bar>();
            for (int c = 0; c < categories.Count; c++)
            {
                double v = series[s].Values[c];
                if (logY && v <= 0) continue;
                double y = logY ? Math.Log10(v) : v;
                top = Math.Max(top, y);
                bars.Add(new Bar { Position = c - 0.4 + width * (s + 0.5), Value = y, ValueBase = floor, Size = width * 0.95, FillColor = color });
            }
            if (bars.Count > 0) plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = color });
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        if (categories.Count > 12) plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.SetLimitsX(-0.5, categories.Count - 0.5);
        if (logY)
        {
            int max = Math.Max(1, (int)Math.Ceiling(top));
            plot.Axes.Left.SetTicks(Enumerable.Range(0, max + 1).Select(k => (double)k).ToArray(), Enumerable.Range(0, max + 1).Select(k => $"1e{k}").ToArray());
            plot.Axes.SetLimitsY(floor, max + 0.1);
        }
        else plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, path, title, xLabel, yLabel);
    }

    private static string Save(Plot plot, string path, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        string full = Path.GetFullPath(path);
        AtomicFile.Write(full, plot.GetImageBytes(Width, Height, ImageFormat.Png), createFolder: true);
        return full;
    }
}
