using LgspHub.Gateway.Operations;

namespace LgspHub.Gateway.Tests;

public class SloTests
{
    private const double Objective = 0.998;
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Minutes before <see cref="Now"/>, each with 1,000 transactions, of which the given share failed.</summary>
    private static List<MinuteCount> Series(TimeSpan span, Func<int, double> failedShareMinutesAgo) =>
        Enumerable.Range(1, (int)span.TotalMinutes)
            .Select(ago => new MinuteCount(Now.AddMinutes(-ago), 1_000, (long)Math.Round(1_000 * failedShareMinutesAgo(ago))))
            .ToList();

    [Fact]
    public void Failing_at_exactly_the_budget_burns_at_rate_one_and_spends_the_whole_budget()
    {
        var series = Series(TimeSpan.FromDays(3), _ => 0.002);

        Assert.Equal(1.0, Slo.BurnRate(series, Now, TimeSpan.FromHours(6), Objective), 3);
        Assert.Equal(0.0, Slo.ErrorBudgetLeft(series, Now, TimeSpan.FromDays(3), Objective), 3);
        var steady = Slo.Evaluate(series, Now, Objective).Single(a => a.Name == "steady-burn");
        Assert.True(steady.Raised);
        Assert.All(Slo.Evaluate(series, Now, Objective).Where(a => a.Severity == "page"), a => Assert.False(a.Raised));
    }

    [Fact]
    public void A_fresh_outage_pages_through_the_fast_burn_rule()
    {
        // Quiet for days, then 5 % failing over the last 70 minutes: 25 times the budget.
        var series = Series(TimeSpan.FromDays(3), ago => ago <= 70 ? 0.05 : 0);

        var alerts = Slo.Evaluate(series, Now, Objective);

        Assert.True(alerts.Single(a => a.Name == "fast-burn").Raised);
        Assert.Equal(25, alerts.Single(a => a.Name == "fast-burn").ShortBurnRate, 1);
        Assert.False(alerts.Single(a => a.Name == "steady-burn").Raised);
    }

    [Fact]
    public void An_outage_that_has_ended_stops_paging_when_the_short_window_is_clean()
    {
        // The same 5 % failing, but it stopped ten minutes ago: the long window still burns, the short one does not.
        var series = Series(TimeSpan.FromDays(1), ago => ago is > 10 and <= 70 ? 0.05 : 0);

        var fast = Slo.Evaluate(series, Now, Objective).Single(a => a.Name == "fast-burn");

        Assert.True(fast.LongBurnRate >= 14.4);
        Assert.Equal(0, fast.ShortBurnRate);
        Assert.False(fast.Raised);
    }

    [Fact]
    public void A_slow_leak_raises_the_slow_page_but_not_the_fast_one()
    {
        var series = Series(TimeSpan.FromDays(1), ago => ago <= 6 * 60 ? 0.0140 : 0);

        var alerts = Slo.Evaluate(series, Now, Objective);

        Assert.True(alerts.Single(a => a.Name == "slow-burn").Raised);
        Assert.False(alerts.Single(a => a.Name == "fast-burn").Raised);
    }

    [Fact]
    public void No_traffic_burns_nothing_and_leaves_the_whole_budget()
    {
        Assert.Equal(0, Slo.BurnRate([], Now, TimeSpan.FromHours(1), Objective));
        Assert.Equal(1, Slo.ErrorBudgetLeft([], Now, TimeSpan.FromDays(3), Objective));
        Assert.All(Slo.Evaluate([], Now, Objective), a => Assert.False(a.Raised));
    }

    [Fact]
    public void Minutes_outside_the_window_or_in_the_future_do_not_count()
    {
        MinuteCount[] series = [new(Now.AddHours(-2), 100, 100), new(Now, 100, 100), new(Now.AddMinutes(-1), 100, 0)];

        Assert.Equal(0, Slo.BurnRate(series, Now, TimeSpan.FromHours(1), Objective));
    }
}
