using System.Diagnostics.Metrics;
using System.Net;
using LgspHub.Gateway.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LgspHub.Gateway.Tests;

public sealed class SecretCheckTests
{
    private readonly FakeTimeProvider _clock = new();

    private static readonly TokenOptions Backoff = new()
    {
        FailuresBeforeLockout = 2,
        FirstLockout = TimeSpan.FromSeconds(1),
        LongestLockout = TimeSpan.FromSeconds(4),
    };

    [Fact]
    public void Each_failure_past_the_limit_doubles_the_lockout_up_to_the_longest()
    {
        using var lockouts = new ClientLockouts(_clock);
        Fail(lockouts);
        Fail(lockouts);

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var refused = lockouts.Admit("id", Backoff);
            Assert.False(refused.Admitted);
            waits.Add(refused.RetryAfter);
            _clock.Advance(refused.RetryAfter);
            Fail(lockouts);
        }

        Assert.Equal([1, 2, 4, 4], waits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public void Once_locked_out_a_client_id_admits_one_attempt_at_a_time_when_its_lockout_ends()
    {
        using var lockouts = new ClientLockouts(_clock);
        Fail(lockouts);
        Fail(lockouts);
        _clock.Advance(Backoff.FirstLockout);

        var probe = lockouts.Admit("id", Backoff);
        var second = lockouts.Admit("id", Backoff);

        Assert.True(probe.Admitted);
        Assert.False(second.Admitted);
        lockouts.Complete(probe, matched: true, Backoff);
        Assert.True(lockouts.Admit("id", Backoff).Admitted);
    }

    [Fact]
    public void A_success_starts_the_count_of_failures_again()
    {
        using var lockouts = new ClientLockouts(_clock);
        Fail(lockouts);
        lockouts.Complete(lockouts.Admit("id", Backoff), matched: true, Backoff);
        Fail(lockouts);

        Assert.True(lockouts.Admit("id", Backoff).Admitted);
    }

    [Fact]
    public void Attempts_still_being_checked_count_against_the_limit_and_an_unchecked_one_counts_for_nothing()
    {
        using var lockouts = new ClientLockouts(_clock);
        var first = lockouts.Admit("id", Backoff);
        var second = lockouts.Admit("id", Backoff);

        var third = lockouts.Admit("id", Backoff);
        lockouts.Complete(first, matched: null, Backoff);

        Assert.True(first.Admitted && second.Admitted);
        Assert.False(third.Admitted);
        Assert.Equal(TimeSpan.FromSeconds(1), third.RetryAfter);
        Assert.True(lockouts.Admit("id", Backoff).Admitted);
        Assert.True(lockouts.Admit("another id", Backoff).Admitted);
    }

    [Fact]
    public async Task Checks_past_the_network_s_share_and_then_the_gateway_s_queue_are_refused_at_once()
    {
        using var checks = Checks(new TokenOptions { SecretChecksAtOnce = 1, SecretChecksQueued = 1, SecretChecksAtOncePerNetwork = 1, SecretChecksQueuedPerNetwork = 0 });

        using var running = await checks.PermitAsync(IPAddress.Parse("192.0.2.1"), CancellationToken.None);
        using var sameNetwork = await checks.PermitAsync(IPAddress.Parse("192.0.2.1"), CancellationToken.None);
        var waiting = checks.PermitAsync(IPAddress.Parse("192.0.2.2"), CancellationToken.None);
        using var pastTheQueue = await checks.PermitAsync(IPAddress.Parse("192.0.2.3"), CancellationToken.None);

        Assert.Null(running.Refusal);
        Assert.Equal(SecretCheckOutcome.NetworkBusy, sameNetwork.Refusal);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(SecretCheckOutcome.Busy, pastTheQueue.Refusal);
        running.Dispose();
        using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(next.Refusal);
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("fe80::1%3", "fe80::/64")]
    [InlineData(null, "unknown")]
    public void An_ipv6_caller_is_counted_by_its_64_bit_prefix(string? address, string network)
    {
        Assert.Equal(network, CallerNetwork.Of(address is null ? null : IPAddress.Parse(address)));
    }

    private static void Fail(ClientLockouts lockouts)
    {
        var admission = lockouts.Admit("id", Backoff);
        Assert.True(admission.Admitted);
        lockouts.Complete(admission, matched: false, Backoff);
    }

    private ClientSecretChecks Checks(TokenOptions tokens) => new(
        new Fixed<LgspOptions>(new LgspOptions { Tokens = tokens }),
        new NoConsumers(),
        _clock,
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    private sealed class NoConsumers : IConsumerRegistry
    {
        public ConsumerSystem? Find(string clientId) => null;

        public IReadOnlyDictionary<string, ConsumerSystem> Current { get; } = new Dictionary<string, ConsumerSystem>();
    }

    private sealed class Fixed<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
