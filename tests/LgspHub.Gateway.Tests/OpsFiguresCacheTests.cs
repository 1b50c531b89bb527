using LgspHub.Contracts;
using LgspHub.Gateway.Operations;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Internal;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LgspHub.Gateway.Tests;

public class OpsFiguresCacheTests
{
    private static readonly TimeSpan Period = new OpsOptions().CacheFiguresFor;

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TransactionStatistics _statistics;
    private readonly OpsFigures _figures;

    public OpsFiguresCacheTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        // HybridCache keeps its entries in IMemoryCache, which expires them by its own clock.
        services.AddMemoryCache(cache => cache.Clock = new FakeSystemClock(_clock));
        services.AddHybridCache();
        _statistics = new TransactionStatistics(_clock);
        _figures = new OpsFigures(services.BuildServiceProvider().GetRequiredService<HybridCache>(), _statistics, new FlowStatistics(_clock),
            Options.Create(new OpsOptions()), _clock);
    }

    [Fact]
    public async Task A_flood_of_requests_within_the_period_costs_one_computation()
    {
        var computations = 0;
        var gate = new TaskCompletionSource();
        async ValueTask<int> Compute(CancellationToken _)
        {
            Interlocked.Increment(ref computations);
            await gate.Task;
            return 42;
        }

        // A hundred callers at once, the first still computing when the others ask.
        var flood = Enumerable.Range(0, 100).Select(_ => _figures.GetAsync("figure", Compute, CancellationToken.None).AsTask()).ToList();
        gate.SetResult();
        Assert.All(await Task.WhenAll(flood), value => Assert.Equal(42, value));
        _clock.Advance(Period - TimeSpan.FromMilliseconds(1));
        await _figures.GetAsync("figure", Compute, CancellationToken.None);
        Assert.Equal(1, computations);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await _figures.GetAsync("figure", Compute, CancellationToken.None);
        Assert.Equal(2, computations);
    }

    [Fact]
    public async Task A_summary_asked_again_within_the_period_is_the_one_computed_and_a_later_one_counts_anew()
    {
        var hour = TimeSpan.FromHours(1);
        Record();
        Assert.Equal(1, (await _figures.SummaryAsync(hour, CancellationToken.None)).Overall.Counts.Total);

        Record();
        Assert.Equal(1, (await _figures.SummaryAsync(hour, CancellationToken.None)).Overall.Counts.Total);
        // Each window is its own figure.
        Assert.Equal(2, (await _figures.SummaryAsync(TimeSpan.FromMinutes(30), CancellationToken.None)).Overall.Counts.Total);

        _clock.Advance(Period);
        Assert.Equal(2, (await _figures.SummaryAsync(hour, CancellationToken.None)).Overall.Counts.Total);
    }

    private void Record() =>
        _statistics.Record(_clock.GetUtcNow(), "land", "land.read-parcel", "a", Outcome.Succeeded, TimeSpan.FromMilliseconds(5));

    private sealed class FakeSystemClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
