using System.Globalization;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Serialization;
using RabbitMQ.Client;

namespace LgspHub.Messaging;

/// <summary>Messaging settings (Lgsp:Messaging).</summary>
public sealed class MessagingOptions
{
    public const string Section = "Lgsp:Messaging";

    /// <summary>
    /// How long each redelivery waits, once a delivery's immediate retries have failed; after the last, the event goes
    /// to its endpoint's error queue. Null: <see cref="DefaultRedelivery"/>; empty: none.
    /// </summary>
    public TimeSpan[]? Redelivery { get; set; }

    /// <summary>Seconds, then minutes: a blip of about a quarter of an hour passes without anyone replaying.</summary>
    public static readonly TimeSpan[] DefaultRedelivery = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    /// <summary>The longest wait RabbitMQ's queue TTL holds (a 32-bit count of milliseconds), rounded down to a day.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    public IReadOnlyList<TimeSpan> RedeliverySchedule => Redelivery ?? DefaultRedelivery;
}

/// <summary>
/// Delayed redelivery on plain RabbitMQ. MassTransit's own needs the delayed-message-exchange plugin or a message
/// scheduler, and this hub has neither; its redelivery filter (the schedule, the redelivery count, the Fault held back
/// until the last attempt) and its forwarding of the message are kept, and only where the message waits is done here:
/// in a wait queue of its endpoint and delay ("{queue}_wait_{delay}", behind an exchange of the same name) whose TTL
/// dead-letters it back to the endpoint's queue, through the endpoint's exchange. Unlike a longer in-memory retry, a waiting message holds no consumer
/// slot and survives a restart. The declarations take arguments MassTransit cannot give a send endpoint, hence the client.
/// </summary>
public sealed class WaitQueues(Uri brokerUrl) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    public static string Name(string queue, TimeSpan delay) => $"{queue}_wait_{Format(delay)}";

    /// <summary>Declares the wait queue of <paramref name="queue"/> for <paramref name="delay"/>, and its exchange; returns their name.</summary>
    public async Task<string> DeclareAsync(string queue, TimeSpan delay, CancellationToken cancellationToken)
    {
        var waitQueue = Name(queue, delay);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var channel = await ChannelAsync(cancellationToken);
            try
            {
                // As MassTransit declares the exchange of an "exchange:" address: durable fanout.
                await channel.ExchangeDeclareAsync(waitQueue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
                // Declared before each use: a wait queue unused for its wait and an hour more expires (x-expires), so a
                // changed schedule leaves no queues behind, and a message never waits in a queue about to expire.
                await channel.QueueDeclareAsync(waitQueue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                    // Back through the endpoint's own exchange (MassTransit names it as its queue), not the default
                    // exchange: an agency's broker user may not write there (deploy/compose/definitions.json).
                    ["x-dead-letter-exchange"] = queue,
                    ["x-expires"] = (long)(delay + TimeSpan.FromHours(1)).TotalMilliseconds,
                }, cancellationToken: cancellationToken);
                await channel.QueueBindAsync(waitQueue, waitQueue, "", cancellationToken: cancellationToken);
                return waitQueue;
            }
            catch
            {
                await ResetAsync();
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
            return open;
        await ResetAsync();
        _connection = await new ConnectionFactory { Uri = brokerUrl, ClientProvidedName = "lgsp-wait-queues" }.CreateConnectionAsync(cancellationToken);
        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return _channel;
    }

    private async Task ResetAsync()
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
        (_channel, _connection) = (null, null);
    }

    private static string Format(TimeSpan delay) =>
        delay.TotalMilliseconds % 60_000 == 0 ? $"{delay.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
        : delay.TotalMilliseconds % 1_000 == 0 ? $"{delay.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
        : $"{delay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";

    public async ValueTask DisposeAsync()
    {
        await ResetAsync();
        _gate.Dispose();
    }
}

public static class Redelivery
{
    /// <summary>
    /// Delayed redelivery for every consumer of the bus, outside the immediate retries (configure it before them):
    /// a delivery whose retries all failed waits each <paramref name="schedule"/> step in turn.
    /// </summary>
    public static void UseWaitQueueRedelivery(this IRabbitMqBusFactoryConfigurator rabbit, WaitQueues queues, IReadOnlyList<TimeSpan> schedule)
    {
        if (schedule.Count == 0)
            return;
        // Connects itself to the bus's consumer configuration, as MassTransit's UseDelayedRedelivery does.
        _ = new Observer(rabbit, queues, retry => retry.Intervals(schedule.ToArray()));
    }

    private sealed class Observer(IConsumePipeConfigurator configurator, WaitQueues queues, Action<IRedeliveryConfigurator> configure)
        : ScheduledRedeliveryConfigurationObserver(configurator, configure)
    {
        protected override IRedeliveryPipeSpecification AddRedeliveryPipeSpecification<TMessage>(IConsumePipeConfigurator configurator)
        {
            var specification = new Specification<TMessage>(queues);
            configurator.AddPipeSpecification(specification);
            return specification;
        }
    }

    private sealed class Specification<TMessage>(WaitQueues queues) : IPipeSpecification<ConsumeContext<TMessage>>, IRedeliveryPipeSpecification
        where TMessage : class
    {
        public RedeliveryOptions Options { get; set; }

        public void Apply(IPipeBuilder<ConsumeContext<TMessage>> builder) => builder.AddFilter(new Filter<TMessage>(queues));

        public IEnumerable<ValidationResult> Validate() => [];
    }

    /// <summary>Gives each delivery the redelivery MassTransit's filter calls when the retries are spent.</summary>
    private sealed class Filter<TMessage>(WaitQueues queues) : IFilter<ConsumeContext<TMessage>> where TMessage : class
    {
        public Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
        {
            context.GetOrAddPayload<MessageRedeliveryContext>(() => new WaitQueueRedelivery<TMessage>(context, queues));
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("waitQueueRedelivery");
    }

    /// <summary>As MassTransit's delayed redelivery sends the message back, with its redelivery count; to the wait queue instead of a delayed exchange.</summary>
    private sealed class WaitQueueRedelivery<TMessage>(ConsumeContext<TMessage> context, WaitQueues queues) : MessageRedeliveryContext
        where TMessage : class
    {
        public async Task ScheduleRedelivery(TimeSpan delay, Action<ConsumeContext, SendContext>? callback = null)
        {
            var queue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/')[^1];
            var waitQueue = await queues.DeclareAsync(queue, delay, context.CancellationToken);
            var pipe = Pipe.Execute<SendContext<TMessage>>(send =>
            {
                send.ApplyRedeliveryOptions(context, RedeliveryOptions.None);
                callback?.Invoke(context, send);
            });
            var endpoint = await context.GetSendEndpoint(new Uri($"exchange:{waitQueue}"));
            await PublisherConfirms.WithinTimeoutAsync(token => endpoint.Send(context.Message, new ForwardMessagePipe<TMessage>(context, pipe), token),
                $"the redelivery of {typeof(TMessage).Name}", context.CancellationToken);
            DeliveryOutcome.Note(context.ReceiveContext, DeliveryOutcome.Redelivered);
        }
    }
}
