using System.Collections.Concurrent;
using LgspHub.Faults;
using LgspHub.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.ServiceDefaults.Tests;

public sealed record Ping(int Number);

public sealed class Received
{
    public ConcurrentBag<int> Numbers { get; } = [];
}

public sealed class PingConsumer(Received received) : IConsumer<Ping>
{
    public Task Consume(ConsumeContext<Ping> context)
    {
        received.Numbers.Add(context.Message.Number);
        return Task.CompletedTask;
    }
}

/// <summary>The agencies' consume pipeline (retries, then injected faults and the outage pause) on MassTransit's in-memory test harness.</summary>
public sealed class ConsumerFaultsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private ServiceProvider _provider = null!;

    private ITestHarness Harness => _provider.GetRequiredService<ITestHarness>();

    private FaultInjection Faults => _provider.GetRequiredService<FaultInjection>();

    private Received Received => _provider.GetRequiredService<Received>();

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<FaultInjection>();
        // As AddFaultInjection registers it: the consume pipeline puts it inside the retries.
        services.AddSingleton<IConsumerConfigurationObserver, ConsumerFaults>();
        services.AddSingleton<Received>();
        services.AddOptions<MassTransitHostOptions>().Configure(host => host.ConsumerStopTimeout = HubMessaging.ConsumerStopTimeout);
        services.AddMassTransitTestHarness(bus =>
        {
            // Retries take up to a few seconds: the harness must not call the bus idle in between.
            bus.SetTestTimeouts(testTimeout: Deadline, testInactivityTimeout: Deadline);
            bus.AddConsumer<PingConsumer>();
            bus.UsingInMemory((context, memory) =>
            {
                memory.UseLgspConsumePipeline(context);
                memory.ConfigureEndpoints(context);
            });
        });
        _provider = services.BuildServiceProvider(validateScopes: true);
        await Harness.Start();
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task Without_faults_every_event_is_consumed()
    {
        await Harness.Bus.Publish(new Ping(1));

        Assert.True(await Harness.Consumed.Any<Ping>());
        await Until(() => Received.Numbers.Contains(1), "the consumer to get the event");
    }

    [Fact]
    public async Task A_failure_rate_of_one_exhausts_the_retries_and_faults_the_event_without_reaching_the_consumer()
    {
        Faults.Update(settings => settings with { ConsumerFailureRate = 1 });

        await Harness.Bus.Publish(new Ping(2));

        Assert.True(await Harness.Published.Any<Fault<Ping>>(), "a Fault<Ping> once the retries are spent");
        var fault = Harness.Published.Select<Fault<Ping>>().First().Context.Message;
        Assert.Equal("Injected consumer fault (Ping).", fault.Exceptions.Single().Message);
        Assert.Empty(Received.Numbers);
    }

    [Fact]
    public async Task An_outage_pauses_consumption_and_its_end_resumes_it_with_nothing_lost()
    {
        Faults.Update(settings => settings with { Outage = true });

        await Harness.Bus.Publish(new Ping(3));
        await Harness.Bus.Publish(new Ping(4));
        await Until(() => Faults.PausedDeliveries >= 1, "a delivery to wait for the outage to end");
        Assert.Empty(Received.Numbers);

        Faults.Update(settings => settings with { Outage = false });

        await Until(() => Received.Numbers.Order().SequenceEqual([3, 4]), "both events to be consumed after the outage");
        Assert.Equal(0, Faults.PausedDeliveries);
        Assert.Empty(PublishedFaults());
    }

    [Fact]
    public async Task A_paused_delivery_lets_the_agency_stop()
    {
        Faults.Update(settings => settings with { Outage = true });
        await Harness.Bus.Publish(new Ping(5));
        await Until(() => Faults.PausedDeliveries == 1, "the delivery to be paused");

        await Harness.Stop().WaitAsync(Deadline);

        Assert.Equal(0, Faults.PausedDeliveries);
        Assert.Empty(Received.Numbers);
        Assert.Empty(PublishedFaults()); // stopping is not a consumer failure
    }

    /// <summary>The faults published so far; the harness's own Select would wait for the bus to go idle.</summary>
    private IEnumerable<IPublishedMessage<Fault<Ping>>> PublishedFaults() =>
        Harness.Published.Select<Fault<Ping>>(new CancellationToken(canceled: true));

    /// <summary>Waits on a condition with a deadline: no fixed sleeps.</summary>
    private static async Task Until(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
                throw new TimeoutException($"Timed out after {Deadline.TotalSeconds:0} s waiting for {what}.");
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
