using System.Reflection;
using LgspHub.Messaging.Outbox;
using MassTransit;
using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LgspHub.Messaging;

public static class HubMessaging
{
    /// <summary>The broker `./lgsp up` starts; ConnectionStrings:rabbitmq (or LGSP_RABBITMQ_URL via ./lgsp) overrides it.</summary>
    public const string DefaultBrokerUrl = "amqp://guest:guest@127.0.0.1:5673/";

    /// <summary>
    /// MassTransit over RabbitMQ, the same for every agency: durable queues and publisher confirms
    /// (MassTransit's RabbitMQ defaults), immediate retries with back-off, then delayed redeliveries
    /// (<see cref="MessagingOptions.Redelivery"/>), then the endpoint's _error queue.
    /// Queue names carry the agency's name so two agencies never compete for one queue. Each agency declares only
    /// its own queues (its broker user may touch no other's); an event published before its consumer's queue exists
    /// is returned by the broker (the outbox publishes mandatory) and stays pending until the queue is there.
    /// </summary>
    /// <param name="consumers">The consumers; by default those of the entry assembly (with their definitions).</param>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, string agency, params Type[] consumers)
    {
        var brokerUrl = new Uri(builder.Configuration.GetConnectionString("rabbitmq") ?? DefaultBrokerUrl);
        var names = new KebabCaseEndpointNameFormatter(agency + "-", includeNamespace: false);
        var entryAssembly = Assembly.GetEntryAssembly();
        var registered = consumers.Length > 0 || entryAssembly is null ? consumers : HubTopology.ConsumersIn(entryAssembly).ToArray();
        if (HubTopology.Mismatches(agency, names, registered) is { Count: > 0 } mismatches)
            throw new InvalidOperationException($"The {agency} agency's consumers do not match the hub's topology: {string.Join("; ", mismatches)}.");

        var messaging = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        var redelivery = messaging.RedeliverySchedule;
        if (redelivery.Any(wait => wait <= TimeSpan.Zero || wait > MessagingOptions.LongestWait))
            throw new InvalidOperationException($"{MessagingOptions.Section}:{nameof(MessagingOptions.Redelivery)}: each wait is more than zero and at most {MessagingOptions.LongestWait}.");

        builder.Services.AddSingleton(new ErrorQueues(brokerUrl));
        builder.Services.AddSingleton(_ => new WaitQueues(brokerUrl));
        builder.Services.AddReceiveEndpointObserver(services => services.GetRequiredService<ErrorQueues>());
        builder.Services.AddReceiveObserver<DeliveryOutcomeObserver>();
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(names);
            // MassTransit reports usage to its vendor over the internet by default; a hub of agencies sends nothing out.
            bus.ConfigureUsageTelemetryOptions(telemetry => telemetry.Enabled = false);
            // Each agency's consumers live in its own assembly.
            if (consumers.Length > 0)
                bus.AddConsumers(consumers);
            else
                bus.AddConsumers(entryAssembly);
            // Measured by ./lgsp bench bus (docs/performance.md): with MassTransit's default prefetch (16) consumers
            // fall behind a burst by seconds; eight deliveries at once per endpoint is where throughput stopped rising.
            bus.AddConfigureEndpointsCallback((_, endpoint) =>
            {
                endpoint.ConcurrentMessageLimit = 8;
                DeliveryOutcome.ConfigureErrorPipe(endpoint);
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    rabbit.PrefetchCount = 100;
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(brokerUrl);
                BrokerReconnect.RetrySooner(rabbit);
                // Outside the immediate retries: redelivery starts once they are spent.
                rabbit.UseWaitQueueRedelivery(context.GetRequiredService<WaitQueues>(), redelivery);
                rabbit.UseLgspConsumePipeline(context);
                rabbit.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(DiagnosticHeaders.DefaultListenerName, OutboxTelemetry.ActivitySourceName))
            .WithMetrics(metrics => metrics.AddMeter(InstrumentationOptions.MeterName));
        // A delivery paused by an injected outage waits on this token: cancelled, the agency can stop and the broker keeps the message.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(host => host.ConsumerStopTimeout ??= ConsumerStopTimeout);
        return builder;
    }

    /// <summary>How long a stopping agency lets its consumers finish before cancelling them.</summary>
    public static readonly TimeSpan ConsumerStopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What every consumer runs inside: retries with back-off (then the endpoint's _error queue), and inside them
    /// what the host registered as an <see cref="IConsumerConfigurationObserver"/> (an agency's injected consume faults
    /// and outage pause). Shared with the tests, which run it in memory.
    /// </summary>
    public static void UseLgspConsumePipeline(this IBusFactoryConfigurator bus, IServiceProvider services)
    {
        bus.UseMessageRetry(retry => retry.Exponential(4, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200)));
        foreach (var observer in services.GetServices<IConsumerConfigurationObserver>())
            bus.ConnectConsumerConfigurationObserver(observer);
    }
}
