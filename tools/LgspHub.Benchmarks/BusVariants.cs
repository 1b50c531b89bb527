using System.Text.Json;
using LgspHub.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace LgspHub.Benchmarks;

/// <summary>One way of moving the probe events over RabbitMQ; a fresh one (connection, bus) per measured run.</summary>
public interface IBusVariant : IAsyncDisposable
{
    Task StartAsync(RunTracker tracker, CancellationToken cancellationToken);

    /// <summary>Completes when the broker has confirmed the message (publisher confirms).</summary>
    Task PublishAsync(ProbeEvent message, CancellationToken cancellationToken);
}

public static class BusVariants
{
    public const string Raw = "raw";
    public const string MassTransit = "masstransit";
    public const string MassTransitDefaults = "masstransit-defaults";
    public const string MassTransitOneAtATime = "masstransit-one-at-a-time";

    public static IBusVariant Create(string name, BusOptions options, int rawBodyBytes) => name switch
    {
        Raw => new RawRabbitVariant(options.Broker, options.Prefetch, options.Concurrency, rawBodyBytes),
        MassTransit => new MassTransitVariant(options.Broker, new EndpointTuning(options.Prefetch, options.Concurrency)),
        MassTransitDefaults => new MassTransitVariant(options.Broker, null, massTransitDefaults: true),
        MassTransitOneAtATime => new MassTransitVariant(options.Broker, null),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown variant"),
    };

    /// <summary>Publishes in flight at once: the hub's outbox dispatcher awaits each publish before the next.</summary>
    public static int InFlight(string name, BusOptions options) => name == MassTransitOneAtATime ? 1 : options.InFlight;

    /// <summary>One publish at a time is slow: a tenth of the messages gives its rate in a tenth of the time.</summary>
    public static int Messages(string name, BusOptions options) => name == MassTransitOneAtATime ? Math.Max(100, options.Messages / 10) : options.Messages;
}

/// <summary>
/// MassTransit exactly as every agency sets it up (<see cref="HubMessaging.AddMessaging"/>: durable queues,
/// persistent messages, publisher confirms, retries, the error-queue observer, fault injection off, the
/// hub's prefetch and concurrency), then the given endpoint settings on top, when given.
/// </summary>
public sealed class MassTransitVariant(Uri broker, IConfigureReceiveEndpoint? tuning, bool massTransitDefaults = false) : IBusVariant
{
    private IHost? _host;
    private IBus? _bus;

    public async Task StartAsync(RunTracker tracker, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["ConnectionStrings:rabbitmq"] = broker.ToString();
        builder.AddMessaging("lgsp-bench");
        builder.Services.AddSingleton(tracker);
        if (tuning is not null)
            builder.Services.AddSingleton<IConfigureReceiveEndpoint>(tuning);
        builder.Services.AddSingleton(new ProbeEndpoint(massTransitDefaults));
        // Publishing starts only once the consumer's queue is bound, or the first messages would be unroutable.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(host => host.WaitUntilStarted = true);
        _host = builder.Build();
        await _host.StartAsync(cancellationToken);
        _bus = _host.Services.GetRequiredService<IBus>();
    }

    public Task PublishAsync(ProbeEvent message, CancellationToken cancellationToken) => _bus!.Publish(message, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_host is null)
            return;
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>The consumer side of the tuning, applied to every receive endpoint as a bus-wide setting in HubMessaging.cs would be.</summary>
public sealed class EndpointTuning(ushort prefetch, ushort concurrency) : IConfigureReceiveEndpoint
{
    public void Configure(string name, IReceiveEndpointConfigurator configurator)
    {
        configurator.ConcurrentMessageLimit = concurrency;
        if (configurator is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.PrefetchCount = prefetch;
    }
}

/// <param name="MassTransitDefaults">
/// Undo the hub's endpoint tuning, for the comparison: MassTransit's own defaults, as the hub had them before
/// this bench (prefetch 16, what MassTransit 8.5.12 picked on this 2-core machine, as the broker's consumer
/// list showed; no concurrency limit beyond it).
/// </param>
public sealed record ProbeEndpoint(bool MassTransitDefaults);

/// <summary>Consumer definitions configure their endpoint after every endpoint-wide callback, the hub's included.</summary>
public sealed class ProbeConsumerDefinition(ProbeEndpoint endpoint) : ConsumerDefinition<ProbeConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ProbeConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (!endpoint.MassTransitDefaults)
            return;
        endpointConfigurator.ConcurrentMessageLimit = null;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.PrefetchCount = 16;
    }
}

/// <summary>The benchmark's MassTransit consumer: found by AddMessaging, which registers the entry assembly's consumers.</summary>
public sealed class ProbeConsumer(RunTracker tracker) : IConsumer<ProbeEvent>
{
    public Task Consume(ConsumeContext<ProbeEvent> context)
    {
        tracker.Receive(context.Message, (int)(context.ReceiveContext.Body.Length ?? 0));
        return Task.CompletedTask;
    }
}

/// <summary>
/// The baseline: RabbitMQ.Client 7.2.2 by hand, with the durability MassTransit gives the hub: a durable
/// fanout exchange bound to a durable queue, persistent messages, publisher confirms awaited per
/// message (the client's tracking, with the same default limit MassTransit's channels get), manual acks,
/// JSON bodies (System.Text.Json) of the same size.
/// </summary>
public sealed class RawRabbitVariant(Uri broker, ushort prefetch, ushort concurrency, int bodyBytes) : IBusVariant
{
    public const string Exchange = "lgsp-bench.raw";
    public const string Queue = "lgsp-bench.raw";

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private IConnection? _connection;
    private IChannel? _publisher;
    private IChannel? _consumer;
    private string _padding = "";

    public async Task StartAsync(RunTracker tracker, CancellationToken cancellationToken)
    {
        _connection = await new ConnectionFactory { Uri = broker, ClientProvidedName = "lgsp-bench raw" }.CreateConnectionAsync(cancellationToken);
        _publisher = await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await _publisher.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await _publisher.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await _publisher.QueueBindAsync(Queue, Exchange, "", cancellationToken: cancellationToken);

        _consumer = await _connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: concurrency), cancellationToken);
        await _consumer.BasicQosAsync(0, prefetch, global: false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(_consumer);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var message = JsonSerializer.Deserialize<ProbeEvent>(delivery.Body.Span, Json)!;
            tracker.Receive(message, delivery.Body.Length);
            await _consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false, delivery.CancellationToken);
        };
        await _consumer.BasicConsumeAsync(Queue, autoAck: false, consumer, cancellationToken);

        // Pad the body to MassTransit's size on the wire (its envelope carries addresses, ids and host details).
        var plain = JsonSerializer.SerializeToUtf8Bytes(ProbeEvent.Create(tracker.Run, 0, ""), Json).Length;
        _padding = new string('.', Math.Max(0, bodyBytes - plain));
    }

    public async Task PublishAsync(ProbeEvent message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message with { Padding = _padding }, Json);
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            MessageId = Guid.NewGuid().ToString(),
        };
        await _publisher!.BasicPublishAsync(Exchange, "", mandatory: false, properties, body, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_consumer is not null)
            await _consumer.CloseAsync();
        if (_publisher is not null)
            await _publisher.CloseAsync();
        if (_connection is not null)
            await _connection.CloseAsync();
        _connection?.Dispose();
    }
}
