using Microsoft.Extensions.Caching.Memory;

namespace LgspHub.Gateway.Access;

/// <summary>
/// Failed secrets per client id, registered or not, so the answers do not tell which ids exist. After
/// <see cref="TokenOptions.FailuresBeforeLockout"/> failures in a row an id is locked out for
/// <see cref="TokenOptions.FirstLockout"/>, then admits one attempt, and each further failure doubles the
/// next lockout up to <see cref="TokenOptions.LongestLockout"/>. A success starts the count again.
/// Attempts still being checked count as failures until they are known, so concurrent guesses cannot
/// get past the limit. Hand-written: System.Threading.RateLimiting has no limiter that backs off on failures.
/// </summary>
public sealed class ClientLockouts(TimeProvider clock) : IDisposable
{
    /// <summary>Memory stays bounded under guesses of random ids: past this the least recently tried are dropped.</summary>
    private const int TrackedIds = 100_000;

    /// <summary>An id nobody tried for this long starts again from no failures.</summary>
    private static readonly TimeSpan ForgottenAfter = TimeSpan.FromHours(1);

    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(1);

    private readonly MemoryCache _attempts = new(new MemoryCacheOptions { SizeLimit = TrackedIds });
    private readonly Lock _gate = new();

    /// <summary>Admits an attempt to be checked, or says how long the client id must wait.</summary>
    public Admission Admit(string key, TokenOptions options)
    {
        var limit = Math.Max(1, options.FailuresBeforeLockout);
        lock (_gate)
        {
            if (!_attempts.TryGetValue(key, out Attempts? attempts) || attempts is null)
            {
                attempts = new Attempts();
                _attempts.Set(key, attempts, new MemoryCacheEntryOptions
                {
                    Size = 1,
                    SlidingExpiration = ForgottenAfter > options.LongestLockout * 2 ? ForgottenAfter : options.LongestLockout * 2,
                });
            }
            if (attempts.Failures >= limit)
            {
                var wait = attempts.LockedUntil - clock.GetUtcNow();
                if (wait > TimeSpan.Zero || attempts.Checking > 0)
                    return new Admission(null, wait > Shortest ? wait : Shortest);
            }
            else if (attempts.Failures + attempts.Checking >= limit)
                return new Admission(null, Shortest);
            attempts.Checking++;
            return new Admission(attempts, TimeSpan.Zero);
        }
    }

    /// <summary>What an admitted attempt came to: the secret matched, did not, or was never checked (null).</summary>
    public void Complete(Admission admission, bool? matched, TokenOptions options)
    {
        if (admission.Attempts is not { } attempts)
            return;
        var limit = Math.Max(1, options.FailuresBeforeLockout);
        lock (_gate)
        {
            attempts.Checking--;
            if (matched is true)
                attempts.Failures = 0;
            else if (matched is false && ++attempts.Failures >= limit)
                attempts.LockedUntil = clock.GetUtcNow() + Lockout(attempts.Failures - limit, options);
        }
    }

    private static TimeSpan Lockout(int furtherFailures, TokenOptions options)
    {
        var doubled = options.FirstLockout.Ticks * Math.Pow(2, Math.Min(furtherFailures, 40));
        return doubled < options.LongestLockout.Ticks ? TimeSpan.FromTicks((long)doubled) : options.LongestLockout;
    }

    public void Dispose() => _attempts.Dispose();

    public sealed class Attempts
    {
        public int Failures { get; set; }

        public int Checking { get; set; }

        public DateTimeOffset LockedUntil { get; set; }
    }

    /// <summary>Admitted when <see cref="Attempts"/> is set; otherwise the wait to answer in Retry-After.</summary>
    public readonly record struct Admission(Attempts? Attempts, TimeSpan RetryAfter)
    {
        public bool Admitted => Attempts is not null;
    }
}
