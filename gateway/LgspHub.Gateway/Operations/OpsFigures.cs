using System.ComponentModel;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Operations;

/// <summary>
/// The operators' figures, each computed at most once per <see cref="OpsOptions.CacheFiguresFor"/> however
/// many callers ask: a 24-hour summary walks every minute bucket, and the broker's figures are a call to
/// RabbitMQ. HybridCache runs one computation per key and lets the callers that come meanwhile wait on it.
/// </summary>
public sealed class OpsFigures(HybridCache cache, TransactionStatistics statistics, FlowStatistics flows, IOptions<OpsOptions> options, TimeProvider clock)
{
    private readonly HybridCacheEntryOptions _entry = new()
    {
        Expiration = options.Value.CacheFiguresFor,
        LocalCacheExpiration = options.Value.CacheFiguresFor,
        Flags = HybridCacheEntryFlags.DisableDistributedCache,
    };

    public ValueTask<OpsSummary> SummaryAsync(TimeSpan window, CancellationToken cancellationToken) =>
        GetAsync($"ops:summary:{(long)window.TotalMinutes}", _ => ValueTask.FromResult(Summary(window)), cancellationToken);

    /// <summary>The value under <paramref name="key"/> if computed within the period, else <paramref name="compute"/>'s, once.</summary>
    public async ValueTask<T> GetAsync<T>(string key, Func<CancellationToken, ValueTask<T>> compute, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(key, compute, static async (compute, token) => new Snapshot<T>(await compute(token)), _entry,
            cancellationToken: cancellationToken)).Value;

    private OpsSummary Summary(TimeSpan window)
    {
        var objective = options.Value.Objective;
        var now = clock.GetUtcNow();
        var budgetPeriod = Slo.BudgetPeriod;
        var series = statistics.Minutes(budgetPeriod).Select(m => new MinuteCount(m.Minute, m.Counts.Succeeded + m.Counts.Failed, m.Counts.Failed)).ToList();
        return new OpsSummary(
            window,
            statistics.Overall(window),
            statistics.By(window, k => k.Service),
            statistics.By(window, k => k.Operation),
            statistics.By(window, k => k.Consumer, withLatency: false),
            statistics.By(window, k => k.Operation, hub: true),
            new SloStatus(objective, Slo.ErrorBudgetLeft(series, now, budgetPeriod, objective), budgetPeriod, Slo.Evaluate(series, now, objective)),
            statistics.Minutes(window).Select(m => new MinutePoint(m.Minute, m.Counts.Total, m.Counts.Succeeded, m.Counts.Rejected, m.Counts.Failed, m.Counts.Abandoned, m.Counts.SuccessRate)).ToList(),
            flows.Deliveries(window),
            flows.Dossiers(window));
    }

    /// <summary>Immutable as far as the cache knows (nobody changes a computed figure), so it keeps the instance instead of serialising a copy.</summary>
    [ImmutableObject(true)]
    private sealed record Snapshot<T>(T Value);
}
