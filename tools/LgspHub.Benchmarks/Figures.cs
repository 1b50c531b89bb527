using System.Globalization;

namespace LgspHub.Benchmarks;

/// <summary>How every bench reports rounds: the median, then the range; ratios taken within a round, then their median and range.</summary>
public static class Figures
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>"4,917 (3,708–5,258)": the median, then the range across rounds, with thousands separators.</summary>
    public static string Cell(IReadOnlyList<double> values, int digits = 0)
    {
        var format = "N" + digits.ToString(CultureInfo.InvariantCulture);
        return $"{Number(Median(values), format)} ({Number(values.Min(), format)}–{Number(values.Max(), format)})";
    }

    /// <summary>"0.62 (0.53–0.63)": per-round ratios, their median and range.</summary>
    public static string RatioCell(IReadOnlyList<double> ratios) =>
        $"{Number(Median(ratios), "F2")} ({Number(ratios.Min(), "F2")}–{Number(ratios.Max(), "F2")})";

    /// <summary>"14%": a share as a whole percentage (or "14.3%" with <paramref name="digits"/> 1).</summary>
    public static string Percent(double share, int digits = 0) =>
        Number(share * 100, "F" + digits.ToString(CultureInfo.InvariantCulture)) + "%";

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
