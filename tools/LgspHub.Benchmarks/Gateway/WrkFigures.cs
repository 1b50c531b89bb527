namespace LgspHub.Benchmarks.Gateway;

/// <summary>The measured runs of a wrk bench, by target: cells of medians and ranges, and per-round ratios of requests/s.</summary>
public sealed class WrkFigures
{
    private readonly IReadOnlyList<WrkRun> _runs;

    /// <summary>Refuses runs with answers that were not 2xx: a bench of errors measures nothing worth reporting.</summary>
    public WrkFigures(IReadOnlyList<WrkRun> runs)
    {
        if (runs.FirstOrDefault(r => r.Non2xx > 0) is { } bad)
            throw new BenchException($"{bad.Target}: {bad.Non2xx} answers that were not 2xx in round {bad.Round}; the figures would be wrong");
        _runs = runs;
    }

    public string Cell(string target, Func<WrkRun, double> value, int digits = 0) =>
        Figures.Cell(_runs.Where(r => r.Target == target).Select(value).ToList(), digits);

    /// <summary><paramref name="a"/>'s requests/s over <paramref name="b"/>'s, round by round: the two ran side by side in each round.</summary>
    public IReadOnlyList<double> Ratios(string a, string b) =>
        _runs.Where(r => r.Target == a)
            .Select(r => _runs.FirstOrDefault(o => o.Target == b && o.Round == r.Round) is { } other ? r.RequestsPerSecond / other.RequestsPerSecond : double.NaN)
            .Where(double.IsFinite)
            .ToList();

    public string RatioCell(string a, string b) => Figures.RatioCell(Ratios(a, b));
}
