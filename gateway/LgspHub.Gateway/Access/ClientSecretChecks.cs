using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Access;

public enum SecretCheckOutcome
{
    Matched,
    Failed,

    /// <summary>The client id failed too often: answered without a check until its lockout ends.</summary>
    LockedOut,

    /// <summary>The caller's network has as many checks running and waiting as it may.</summary>
    NetworkBusy,

    /// <summary>The gateway has as many checks running and waiting as it may.</summary>
    Busy,
}

public readonly record struct SecretCheck(SecretCheckOutcome Outcome, TimeSpan RetryAfter);

/// <summary>A place among the secret checks running, held until disposed; or why there was none.</summary>
public sealed class CheckPermit(RateLimitLease network, RateLimitLease? gateway) : IDisposable
{
    public SecretCheckOutcome? Refusal =>
        !network.IsAcquired ? SecretCheckOutcome.NetworkBusy
        : gateway is not { IsAcquired: true } ? SecretCheckOutcome.Busy
        : null;

    public void Dispose()
    {
        gateway?.Dispose();
        network.Dispose();
    }
}

/// <summary>
/// Checks client secrets (PBKDF2, tens of milliseconds of CPU each) so guessing cannot take the gateway's
/// processors: a lockout per client id after repeated failures, a cap on checks at once for the whole
/// gateway and a smaller one per caller network, each with a short queue. An unknown id, or one without
/// a hash, is checked against a dummy hash of the same cost, so the answer's time does not tell it apart.
/// </summary>
public sealed class ClientSecretChecks : IDisposable
{
    /// <summary>The gateway's meter (ServiceDefaults exports the one named after the application).</summary>
    public const string Meter = "LgspHub.Gateway";

    public const string ChecksCounter = "lgsp.token.secret_checks";
    public const string RefusedCounter = "lgsp.token.refused";

    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(1);

    private readonly IOptionsMonitor<LgspOptions> _options;
    private readonly IConsumerRegistry _consumers;
    private readonly ClientLockouts _lockouts;
    private readonly ConcurrencyLimiter _gateway;
    private readonly PartitionedRateLimiter<string> _networks;
    private readonly Counter<long> _checks;
    private readonly Counter<long> _refused;

    /// <summary>Made at start with the hasher's defaults, as <c>hash-secret</c> makes the registered ones.</summary>
    private readonly string _dummyHash = ConsumerSystem.HashSecret(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));

    public ClientSecretChecks(IOptionsMonitor<LgspOptions> options, IConsumerRegistry consumers, TimeProvider clock, IMeterFactory meters)
    {
        _options = options;
        _consumers = consumers;
        _lockouts = new ClientLockouts(clock);
        // The caps are read at start: a limiter cannot change its size.
        var tokens = options.CurrentValue.Tokens;
        _gateway = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = tokens.SecretChecksAtOnce > 0 ? tokens.SecretChecksAtOnce : Environment.ProcessorCount,
            QueueLimit = Math.Max(0, tokens.SecretChecksQueued),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        var perNetwork = new ConcurrencyLimiterOptions
        {
            PermitLimit = Math.Max(1, tokens.SecretChecksAtOncePerNetwork),
            QueueLimit = Math.Max(0, tokens.SecretChecksQueuedPerNetwork),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        };
        _networks = PartitionedRateLimiter.Create<string, string>(network => RateLimitPartition.GetConcurrencyLimiter(network, _ => perNetwork));
        var meter = meters.Create(Meter);
        _checks = meter.CreateCounter<long>(ChecksCounter, description: "Client secrets checked against their PBKDF2 hash (or the dummy one) at the token endpoint");
        _refused = meter.CreateCounter<long>(RefusedCounter, description: "Token requests answered without a secret check: reason locked_out, network_busy or busy");
    }

    public async Task<SecretCheck> CheckAsync(string clientId, string secret, IPAddress? caller, CancellationToken cancellationToken)
    {
        var registry = _options.CurrentValue;
        // Keyed by a digest: any length of id takes the same memory, and no id is kept as sent.
        var admission = _lockouts.Admit(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(clientId))), registry.Tokens);
        if (!admission.Admitted)
            return Refused(SecretCheckOutcome.LockedOut, admission.RetryAfter);
        bool? matched = null;
        try
        {
            using var permit = await PermitAsync(caller, cancellationToken);
            if (permit.Refusal is { } refusal)
                return Refused(refusal, Soon);

            // Configured or registered through the API, as it stands now: a revoked consumer is unknown.
            var hash = _consumers.Find(clientId) is { SecretHash.Length: > 0 } consumer ? consumer.SecretHash : null;
            var matches = ConsumerSystem.SecretMatches(hash ?? _dummyHash, secret);
            _checks.Add(1);
            matched = matches && hash is not null;
            return new SecretCheck(matched.Value ? SecretCheckOutcome.Matched : SecretCheckOutcome.Failed, TimeSpan.Zero);
        }
        finally
        {
            _lockouts.Complete(admission, matched, registry.Tokens);
        }
    }

    /// <summary>Waits for a place among the checks running, in the caller network's queue, then the gateway's.</summary>
    public async Task<CheckPermit> PermitAsync(IPAddress? caller, CancellationToken cancellationToken)
    {
        var network = await _networks.AcquireAsync(CallerNetwork.Of(caller), 1, cancellationToken);
        if (!network.IsAcquired)
            return new CheckPermit(network, null);
        try
        {
            return new CheckPermit(network, await _gateway.AcquireAsync(1, cancellationToken));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private SecretCheck Refused(SecretCheckOutcome outcome, TimeSpan retryAfter)
    {
        _refused.Add(1, new KeyValuePair<string, object?>("reason", outcome switch
        {
            SecretCheckOutcome.LockedOut => "locked_out",
            SecretCheckOutcome.NetworkBusy => "network_busy",
            _ => "busy",
        }));
        return new SecretCheck(outcome, retryAfter);
    }

    public void Dispose()
    {
        _lockouts.Dispose();
        _gateway.Dispose();
        _networks.Dispose();
    }
}
