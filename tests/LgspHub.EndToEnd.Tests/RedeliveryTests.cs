using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.EndToEnd.Tests;

/// <summary>A test's own event: no agency of the hub consumes it.</summary>
public sealed record Flaky(Guid Id, int FailForMilliseconds);

/// <summary>Fails every attempt at an event for as long as the event asks, counted from the first attempt.</summary>
public sealed class FlakyConsumer : IConsumer<Flaky>
{
    public static readonly ConcurrentDictionary<Guid, Attempts> Seen = new();

    public Task Consume(ConsumeContext<Flaky> context)
    {
        var attempts = Seen.GetOrAdd(context.Message.Id, _ => new Attempts());
        attempts.Record(context.GetRedeliveryCount());
        if (attempts.Since.Elapsed < TimeSpan.FromMilliseconds(context.Message.FailForMilliseconds))
            throw new InvalidOperationException("The consumer's dependency is down.");
        attempts.Succeed();
        return Task.CompletedTask;
    }

    public sealed class Attempts
    {
        private int _count;
        private int _redeliveries;

        public Stopwatch Since { get; } = Stopwatch.StartNew();

        public int Count => Volatile.Read(ref _count);

        /// <summary>The redelivery count of the last attempt: 0 on the first delivery.</summary>
        public int Redeliveries => Volatile.Read(ref _redeliveries);

        public bool Succeeded { get; private set; }

        public void Record(int redeliveries)
        {
            Interlocked.Increment(ref _count);
            Volatile.Write(ref _redeliveries, redeliveries);
        }

        public void Succeed() => Succeeded = true;
    }
}

/// <summary>
/// Delayed redelivery on plain RabbitMQ, through an agency's own pipeline (AddMessaging) on a fresh virtual host:
/// an event whose consumer fails for longer than the immediate retries comes back later instead of going to the
/// error queue; one that keeps failing gets there after the last redelivery. It needs no hub, only the suite's broker:
/// a collection of its own, run beside the hub's.
/// </summary>
public sealed class RedeliveryTests : IAsyncLifetime, IDisposable
{
    private const string Agency = "redelivery-test";
    private const string Queue = Agency + "-flaky";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly BrokerManagement _broker = new(TestBroker.Suite);
    private readonly string _virtualHost = $"lgsp-redelivery-{Guid.NewGuid():N}";
    private Uri _brokerUrl = null!;

    public async Task InitializeAsync() => _brokerUrl = await _broker.CreateVirtualHostAsync(_virtualHost);

    public Task DisposeAsync() => _broker.DeleteVirtualHostAsync(_virtualHost);

    public void Dispose() => _broker.Dispose();

    private Task<InProcessAgency> StartAsync(params TimeSpan[] schedule) =>
        InProcessAgency.StartAsync(Agency, _brokerUrl,
            schedule.Select((wait, i) => (wait, i)).ToDictionary(x => $"Lgsp:Messaging:Redelivery:{x.i}", x => (string?)x.wait.ToString("c", System.Globalization.CultureInfo.InvariantCulture)),
            typeof(FlakyConsumer), typeof(FlakyFaultConsumer));

    [Fact]
    public async Task A_consumer_failing_for_longer_than_its_immediate_retries_succeeds_on_a_redelivery_without_the_error_queue()
    {
        await using var agency = await StartAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        var flaky = new Flaky(Guid.NewGuid(), FailForMilliseconds: 5_000);   // the immediate retries take about 3 s

        await agency.Services.GetRequiredService<IBus>().Publish(flaky);

        var attempts = await Eventually.Get(() => Task.FromResult(FlakyConsumer.Seen.GetValueOrDefault(flaky.Id) is { Succeeded: true } done ? done : null),
            Wait, "the event to be consumed");
        Assert.InRange(attempts.Redeliveries, 1, 2);
        Assert.True(attempts.Count > 5, $"{attempts.Count} attempts: more than a delivery and its four immediate retries");
        Assert.Null(await _broker.QueueAsync(_virtualHost, Queue + "_error"));
        // While it waited, it held no consumer slot: it was in the broker, in its endpoint's wait queue.
        Assert.NotNull(await _broker.QueueAsync(_virtualHost, Messaging.WaitQueues.Name(Queue, TimeSpan.FromSeconds(2))));
    }

    [Fact]
    public async Task An_event_that_keeps_failing_goes_to_the_error_queue_after_its_last_redelivery_and_only_then_faults()
    {
        await using var agency = await StartAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
        var poisoned = new Flaky(Guid.NewGuid(), FailForMilliseconds: int.MaxValue);

        await agency.Services.GetRequiredService<IBus>().Publish(poisoned);

        await Eventually.True(() => Task.FromResult(FlakyFaultConsumer.Faulted.ContainsKey(poisoned.Id)), Wait, "the event's Fault");
        var attemptsWhenFaulted = FlakyFaultConsumer.Faulted[poisoned.Id];
        // Three deliveries (the first and two redeliveries) of five attempts each, and one Fault, after the last.
        Assert.Equal(15, attemptsWhenFaulted);
        Assert.Equal(2, FlakyConsumer.Seen[poisoned.Id].Redeliveries);
        // The management API counts a queue's messages a few seconds after it shows the queue.
        await Eventually.True(async () => await _broker.QueueAsync(_virtualHost, Queue + "_error") is { } error
            && error.TryGetProperty("messages", out var messages) && messages.GetInt32() == 1, Wait, "the event in the error queue");
    }
}

/// <summary>Notes the attempts an event had had when its Fault arrived, as civil status marks a dossier Failed on one.</summary>
public sealed class FlakyFaultConsumer : IConsumer<Fault<Flaky>>
{
    public static readonly ConcurrentDictionary<Guid, int> Faulted = new();

    public Task Consume(ConsumeContext<Fault<Flaky>> context)
    {
        var id = context.Message.Message.Id;
        Faulted.AddOrUpdate(id, _ => FlakyConsumer.Seen[id].Count, (_, _) => -1);   // -1: faulted twice
        return Task.CompletedTask;
    }
}
