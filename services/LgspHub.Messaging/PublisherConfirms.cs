using MassTransit;

namespace LgspHub.Messaging;

/// <summary>
/// A publish waits for the broker's confirm, and RabbitMQ.Client 7 waits for one without end unless the caller cancels
/// it. After a broker restart a publish in flight can wait for a confirm that never comes
/// (rabbitmq/rabbitmq-dotnet-client#1930): unbounded, it would stop the outbox, or hold a consumer's slot, for good.
/// Every publish of the hub's agencies therefore waits at most <see cref="Timeout"/>, then counts as not confirmed.
/// </summary>
public static class PublisherConfirms
{
    /// <summary>Confirms come in milliseconds, and in seconds under a burst; this is a publish that will not end.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Publishes from a consumer and awaits the confirm at most <see cref="Timeout"/>; a late confirm fails the attempt,
    /// which the consumer's retries and redeliveries then repeat (its consumers are idempotent).
    /// </summary>
    public static Task PublishConfirmedAsync<T>(this ConsumeContext context, T message) where T : class =>
        WithinTimeoutAsync(token => context.Publish(message, token), typeof(T).Name, context.CancellationToken);

    /// <summary>Runs a publish or send with a token that also ends after <see cref="Timeout"/>; a late one is a <see cref="TimeoutException"/>.</summary>
    public static async Task WithinTimeoutAsync(Func<CancellationToken, Task> publish, string what, CancellationToken cancellationToken)
    {
        using var late = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        late.CancelAfter(Timeout);
        try
        {
            await publish(late.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The broker did not confirm {what} within {Timeout.TotalSeconds:0} s.", e);
        }
    }
}
