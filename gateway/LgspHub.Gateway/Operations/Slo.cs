namespace LgspHub.Gateway.Operations;

/// <summary>Transactions of one minute: all of them, and the failed ones that spend the error budget.</summary>
public sealed record MinuteCount(DateTimeOffset Minute, long Total, long Failed);

/// <summary>A multi-window burn-rate rule (Google SRE workbook): raised when both windows burn at least Factor times the budget.</summary>
public sealed record BurnRateRule(string Name, string Severity, double Factor, TimeSpan LongWindow, TimeSpan ShortWindow);

public sealed record BurnRateAlert(string Name, string Severity, double Factor, TimeSpan LongWindow, TimeSpan ShortWindow, double LongBurnRate, double ShortBurnRate, bool Raised);

/// <summary>The objective (99.8 % by default), its error budget and burn-rate alerts, computed from minute counts.</summary>
public static class Slo
{
    public static readonly BurnRateRule[] Rules =
    [
        new("fast-burn", "page", 14.4, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)),
        new("slow-burn", "page", 6, TimeSpan.FromHours(6), TimeSpan.FromMinutes(30)),
        new("steady-burn", "ticket", 1, TimeSpan.FromDays(3), TimeSpan.FromHours(6)),
    ];

    /// <summary>The period of the error budget: the longest window of the rules, three days.</summary>
    public static TimeSpan BudgetPeriod { get; } = Rules.Max(r => r.LongWindow);

    /// <summary>How many times faster than allowed the budget burns over the window before <paramref name="now"/>: 1 spends exactly the budget.</summary>
    public static double BurnRate(IEnumerable<MinuteCount> series, DateTimeOffset now, TimeSpan window, double objective)
    {
        var (total, failed) = Sum(series, now - window, now);
        return total == 0 ? 0 : (double)failed / total / (1 - objective);
    }

    public static IReadOnlyList<BurnRateAlert> Evaluate(IReadOnlyCollection<MinuteCount> series, DateTimeOffset now, double objective) =>
        Rules.Select(rule =>
        {
            var longRate = BurnRate(series, now, rule.LongWindow, objective);
            var shortRate = BurnRate(series, now, rule.ShortWindow, objective);
            return new BurnRateAlert(rule.Name, rule.Severity, rule.Factor, rule.LongWindow, rule.ShortWindow, longRate, shortRate,
                Raised: AtLeast(longRate, rule.Factor) && AtLeast(shortRate, rule.Factor));
        }).ToList();

    /// <summary>The share of the period's error budget still unspent: 1 untouched, 0 spent, below 0 overspent.</summary>
    public static double ErrorBudgetLeft(IEnumerable<MinuteCount> series, DateTimeOffset now, TimeSpan period, double objective)
    {
        var (total, failed) = Sum(series, now - period, now);
        return total == 0 ? 1 : 1 - failed / (total * (1 - objective));
    }

    // 1 - 0.998 is not exact in binary: a burn of exactly the budget must still count as 1.
    private static bool AtLeast(double rate, double factor) => rate >= factor * (1 - 1e-9);

    private static (long Total, long Failed) Sum(IEnumerable<MinuteCount> series, DateTimeOffset from, DateTimeOffset to)
    {
        long total = 0, failed = 0;
        foreach (var minute in series)
        {
            if (minute.Minute >= from && minute.Minute < to)
                (total, failed) = (total + minute.Total, failed + minute.Failed);
        }
        return (total, failed);
    }
}
