using System.Collections.Concurrent;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace LgspHub.Messaging;

public sealed record ErrorQueueCount(string Queue, string ErrorQueue, uint Messages);

/// <summary>
/// Lists this agency's error queues and moves their messages back for another try. MassTransit
/// moves a message that failed every retry to "{queue}_error" but ships no replay for RabbitMQ,
/// so this does the move with the RabbitMQ client: get, republish with confirms, then ack.
/// </summary>
public sealed class ErrorQueues(Uri brokerUrl) : IReceiveEndpointObserver
{
    public const uint MaxReplayBatch = 10_000;

    private readonly ConcurrentDictionary<string, bool> _queues = new();

    public async Task<IReadOnlyList<ErrorQueueCount>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        var result = new List<ErrorQueueCount>();
        foreach (var queue in _queues.Keys.Order())
            result.Add(new ErrorQueueCount(queue, queue + "_error", await CountAsync(connection, queue + "_error", cancellationToken)));
        return result;
    }

    public bool Knows(string queue) => _queues.ContainsKey(queue);

    /// <returns>How many messages went back to the queue.</returns>
    public async Task<uint> ReplayAsync(string queue, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        // Only what waits now: a message that fails again during the replay comes back behind them, for the next replay.
        var waiting = Math.Min(MaxReplayBatch, await CountAsync(connection, queue + "_error", cancellationToken));
        var replayed = 0u;
        while (replayed < waiting && await channel.BasicGetAsync(queue + "_error", autoAck: false, cancellationToken) is { } message)
        {
            // Through the endpoint's own exchange (MassTransit binds one of the queue's name to it), not the default
            // exchange: a broker user allowed to publish there could reach every queue, other agencies' included.
            await channel.BasicPublishAsync(queue, "", mandatory: true, new BasicProperties(message.BasicProperties), message.Body, cancellationToken);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            replayed++;
        }
        return replayed;
    }

    private Task<IConnection> ConnectAsync(CancellationToken cancellationToken) =>
        new ConnectionFactory { Uri = brokerUrl, ClientProvidedName = "lgsp-error-queues" }.CreateConnectionAsync(cancellationToken);

    private static async Task<uint> CountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes the channel, so each count gets its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            return 0; // MassTransit creates an error queue with its first failed message.
        }
    }

    public Task Ready(ReceiveEndpointReady ready)
    {
        // The bus's own temporary queue (for responses) has no error queue worth showing.
        if (!ready.InputAddress.Query.Contains("temporary", StringComparison.OrdinalIgnoreCase)
            && !ready.InputAddress.Query.Contains("autodelete=true", StringComparison.OrdinalIgnoreCase))
            _queues.TryAdd(ready.InputAddress.AbsolutePath.Split('/')[^1], true);
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
