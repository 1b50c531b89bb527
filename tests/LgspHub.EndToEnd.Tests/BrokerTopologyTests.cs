using System.Collections.Concurrent;
using LgspHub.Contracts;
using LgspHub.Messaging;
using MassTransit;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// Events published on a fresh broker (a virtual host of the test's own) before their consumer ever started,
/// or after its queue went away: none is lost. In the hub's collection, so the broker-restart test never
/// stops the broker under them.
/// </summary>
[Collection(HubTests.Name)]
public sealed class BrokerTopologyTests(HubFixture hub) : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string LandQueue = "land-citizen-details-changed";

    private readonly BrokerManagement _broker = new(hub.Broker);
    private readonly string _virtualHost = $"lgsp-topology-{Guid.NewGuid():N}";
    private Uri _brokerUrl = null!;

    public async Task InitializeAsync() => _brokerUrl = await _broker.CreateVirtualHostAsync(_virtualHost);

    public Task DisposeAsync() => _broker.DeleteVirtualHostAsync(_virtualHost);

    public void Dispose() => _broker.Dispose();

    private static CitizenDetailsChanged Change(string name) =>
        new(PersonalId.Parse("049188309340", null), name, new DateOnly(1988, 3, 9), Sex.Female, "Thôn 2", DateTimeOffset.UtcNow);

    [Fact]
    public async Task An_event_published_before_its_consumer_ever_started_waits_for_it_and_is_delivered_once()
    {
        await using var population = await InProcessAgency.StartAsync("population", _brokerUrl);
        await population.PublishOnCommitAsync(Change("Trước Khi Có"));

        // No queue takes it yet: the broker returns the mandatory publish, and the outbox keeps it.
        await Eventually.True(() => Task.FromResult(population.Problems.Any(p => p.Contains(nameof(MessageReturnedException), StringComparison.Ordinal))),
            Wait, "the broker to return the publish no queue takes");
        Assert.Equal(1, await population.UnsentAsync());

        await using var land = await ConsumerAsync(LandQueue);
        await Eventually.True(() => Task.FromResult(land.Received.Contains("Trước Khi Có")), Wait, "land to receive the event once its queue exists");
        await Eventually.True(async () => await population.UnsentAsync() == 0, Wait, "the outbox to mark it sent");
        await population.PublishOnCommitAsync(Change("Sau Khi Có"));

        await Eventually.True(() => Task.FromResult(land.Received.Contains("Sau Khi Có")), Wait, "land to receive the next event");
        // Each once, in order: a second copy of the first would have come before the next.
        Assert.Equal(["Trước Khi Có", "Sau Khi Có"], land.Received);
    }

    [Fact]
    public async Task An_outbox_event_that_no_queue_takes_stays_pending_and_goes_out_once_a_queue_exists()
    {
        await using var population = await InProcessAgency.StartAsync("population", _brokerUrl);
        await using (await ConsumerAsync(LandQueue))
        {
            await population.PublishOnCommitAsync(Change("Đầu Tiên"));
            await Eventually.True(async () => await population.UnsentAsync() == 0, Wait, "the outbox to have the first event confirmed");
        }
        // Then the consumer's queue goes (an operator's mistake, a broker restored without it): nothing takes the next.
        await _broker.DeleteQueueAsync(_virtualHost, LandQueue);

        await population.PublishOnCommitAsync(Change("Không Ai Nhận"));

        await Eventually.True(() => Task.FromResult(population.Problems.Any(p => p.Contains(nameof(MessageReturnedException), StringComparison.Ordinal))),
            Wait, "the broker to return the unroutable publish");
        Assert.Equal(1, await population.UnsentAsync());
        await using var land = await ConsumerAsync(LandQueue);
        await Eventually.True(() => Task.FromResult(land.Received.Contains("Không Ai Nhận")), Wait, "land to receive the event on a later pass");
        await Eventually.True(async () => await population.UnsentAsync() == 0, Wait, "the outbox to mark it sent");
    }

    [Fact]
    public async Task Every_queue_the_hub_declares_has_its_consumer()
    {
        var virtualHost = Uri.UnescapeDataString(hub.Broker.Url.AbsolutePath.TrimStart('/')) is { Length: > 0 } named ? named : "/";

        foreach (var endpoint in HubTopology.Endpoints)
        {
            Assert.Contains(endpoint.Agency, hub.Hosts.Keys);
            var queue = await _broker.QueueAsync(virtualHost, endpoint.Queue);
            Assert.True(queue is { } found && found.GetProperty("consumers").GetInt32() > 0,
                $"{endpoint.Queue} is declared for {endpoint.Agency}, but no consumer of the running hub reads it.");
        }
    }

    /// <summary>A consumer of its own on a queue of the hub, taking one event at a time.</summary>
    private async Task<TestConsumerBus> ConsumerAsync(string queue)
    {
        var received = new ConcurrentQueue<string>();
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(_brokerUrl);
            rabbit.ReceiveEndpoint(queue, endpoint =>
            {
                endpoint.ConcurrentMessageLimit = 1;
                endpoint.Handler<CitizenDetailsChanged>(context =>
                {
                    received.Enqueue(context.Message.FullName);
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync();
        return new TestConsumerBus(bus, received);
    }

    private sealed class TestConsumerBus(IBusControl bus, ConcurrentQueue<string> received) : IAsyncDisposable
    {
        public IReadOnlyCollection<string> Received => received;

        public async ValueTask DisposeAsync() => await bus.StopAsync();
    }
}
