using LgspHub.Contracts;
using LgspHub.Gateway.Operations;

namespace LgspHub.Gateway.Tests;

public class TransactionStatisticsTests
{
    [Fact]
    public void Health_statistics_give_the_spread_of_durations_and_the_last_success_and_failure()
    {
        var statistics = new TransactionStatistics(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;

        statistics.Record(now.AddSeconds(-3), "land", "land.read-parcel", "a", Outcome.Succeeded, TimeSpan.FromMilliseconds(10));
        statistics.Record(now.AddSeconds(-2), "land", "land.read-parcel", "b", Outcome.Failed, TimeSpan.FromMilliseconds(30));
        statistics.Record(now.AddSeconds(-1), "land", "land.read-parcel", "a", Outcome.Succeeded, TimeSpan.FromMilliseconds(20));
        statistics.Record(now.AddSeconds(-1), "land", "land.read-parcel", "a", Outcome.Rejected, TimeSpan.FromMilliseconds(20));

        var land = Assert.Single(statistics.By(TimeSpan.FromMinutes(5), k => k.Service));
        Assert.Equal(new OutcomeCounts(4, 2, 1, 1, 0), land.Counts);
        Assert.Equal(2.0 / 3, land.Counts.SuccessRate!.Value, 9);
        var health = land.Health!;
        Assert.Equal(10, health.MinMs, 6);
        Assert.Equal(20, health.AverageMs, 6);
        Assert.Equal(30, health.MaxMs, 6);
        Assert.Equal(Math.Sqrt(50), health.StdDevMs, 6);
        Assert.Equal(now.AddSeconds(-1), health.LastSuccess);
        Assert.Equal(now.AddSeconds(-2), health.LastFailure);
    }

    [Fact]
    public void Only_transactions_inside_the_window_count()
    {
        var statistics = new TransactionStatistics(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;

        statistics.Record(now.AddHours(-2), "land", "land.read-parcel", "a", Outcome.Failed, TimeSpan.FromMilliseconds(5));
        statistics.Record(now, "land", "land.read-parcel", "a", Outcome.Succeeded, TimeSpan.FromMilliseconds(5));

        Assert.Equal(1, statistics.Overall(TimeSpan.FromHours(1)).Counts.Total);
        Assert.Equal(2, statistics.Overall(TimeSpan.FromHours(3)).Counts.Total);
    }
}
