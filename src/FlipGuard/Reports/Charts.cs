using ScottPlot;

namespace FlipGuard.Reports;

/// <summary>
/// PNG charts for results people would rather look at than read (spectra, loss landscapes, histograms).
/// One method per chart shape; each writes the file atomically and returns its path.
/// </summary>
public static class Charts
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

    private static string Save(Plot plot, string path, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + ".tmp.png";
        plot.SavePng(tmp, Width, Height);
        File.Move(tmp, full, overwrite: true);
        return full;
    }
}
