using System.Collections.Frozen;
using LgspHub.Gateway.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Access;

/// <summary>
/// Who the consumers are now: those of the configuration (<c>Lgsp:Consumers</c>, reloaded on change) and those
/// registered through the operators' API (<see cref="ConsumersApi"/>), stored in the gateway's database. What the
/// token endpoint, the rights check and the rate limits ask; read from memory on every request.
/// </summary>
public interface IConsumerRegistry
{
    /// <summary>The consumer's registration as it stands; null when the id is unknown or was revoked.</summary>
    ConsumerSystem? Find(string clientId);

    /// <summary>Every consumer that may get a token now, by id.</summary>
    IReadOnlyDictionary<string, ConsumerSystem> Current { get; }
}

/// <summary>
/// The registry: the configuration's consumers over those of the database (the configuration wins on a shared id,
/// which the API never creates). The database's are held in memory and read again every
/// <see cref="LgspOptions.RegistrationsRefresh"/> (whole: they are few, and a whole read needs no clock or sequence
/// shared between gateway instances), and at once after this instance changes one. So a consumer registered or
/// revoked on this instance counts at its next request, and on another instance sharing the database within
/// that interval. When the database cannot be read, the last registrations read are kept, and the failure logged.
/// </summary>
public sealed class ConsumerRegistry(
    IOptionsMonitor<LgspOptions> options, IServiceScopeFactory scopes, TransactionLog log, TimeProvider clock, ILogger<ConsumerRegistry> logger)
    : BackgroundService, IConsumerRegistry
{
    /// <summary>The shortest time between two periodic reads, whatever the setting says.</summary>
    private static readonly TimeSpan ShortestRefresh = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile bool _loaded;
    private Snapshot _snapshot = new(null, FrozenDictionary<string, RegisteredConsumer>.Empty, FrozenDictionary<string, ConsumerSystem>.Empty);

    public ConsumerSystem? Find(string clientId) => Current.GetValueOrDefault(clientId);

    public IReadOnlyDictionary<string, ConsumerSystem> Current
    {
        get
        {
            // CurrentValue is the same instance until the configuration changes: the merge is made once per change.
            var snapshot = Volatile.Read(ref _snapshot);
            var configured = options.CurrentValue;
            if (ReferenceEquals(snapshot.Configured, configured))
                return snapshot.Merged;
            var merged = Merge(configured, snapshot.Registered);
            // Not over a newer read of the database that came in meanwhile.
            Interlocked.CompareExchange(ref _snapshot, merged, snapshot);
            return merged.Merged;
        }
    }

    /// <summary>The configuration's consumers, as they stand.</summary>
    public IReadOnlyDictionary<string, ConsumerSystem> Configured => options.CurrentValue.Consumers;

    /// <summary>Every registration of the database, revoked ones included, as last read.</summary>
    public IReadOnlyDictionary<string, RegisteredConsumer> Registered => Volatile.Read(ref _snapshot).Registered;

    /// <summary>Whether the database's registrations were read once: until then the gateway is not ready, or their tokens would be refused.</summary>
    public bool Loaded => _loaded;

    /// <summary>Reads the database's registrations again (the API calls it after a change, so it counts at once).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await log.Ready.WaitAsync(cancellationToken);
        await _reading.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            var rows = await db.Set<RegisteredConsumer>().AsNoTracking().ToListAsync(cancellationToken);
            Interlocked.Exchange(ref _snapshot, Merge(options.CurrentValue, rows.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal)));
            _loaded = true;
        }
        finally
        {
            _reading.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not read the registered consumers; keeping the {Count} read before", Registered.Count);
            }
            try
            {
                await Task.Delay(options.CurrentValue.RegistrationsRefresh is var every && every > ShortestRefresh ? every : ShortestRefresh, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static Snapshot Merge(LgspOptions? configured, FrozenDictionary<string, RegisteredConsumer> registered)
    {
        var merged = registered.Values.Where(r => r is { ActiveFrom: not null, RevokedAt: null }).ToDictionary(r => r.Id, r => r.ToConsumerSystem(), StringComparer.Ordinal);
        foreach (var (id, consumer) in configured?.Consumers ?? [])
            merged[id] = consumer;
        return new Snapshot(configured, registered, merged.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public override void Dispose()
    {
        base.Dispose();
        _reading.Dispose();
    }

    private sealed record Snapshot(LgspOptions? Configured, FrozenDictionary<string, RegisteredConsumer> Registered, FrozenDictionary<string, ConsumerSystem> Merged);
}

/// <summary>Unready until the registered consumers were read once (<see cref="ConsumerRegistry.Loaded"/>).</summary>
public sealed class ConsumerRegistryHealthCheck(ConsumerRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Loaded ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The registered consumers are not read yet."));
}
