using System.Diagnostics;
using MassTransit;
using MassTransit.Logging;
using MassTransit.Middleware;

namespace LgspHub.Messaging;

/// <summary>
/// What became of one delivery of an event, on its MassTransit receive span (<see cref="Tag"/>): what the hub's figures
/// count. The brief's delivery succeeds when consumed and fails when it ends in an error queue after retries; an attempt
/// that will come again (a redelivery through a wait queue, or one the broker hands out again after a lost connection)
/// is neither. MassTransit's span status cannot tell these apart: an event moved to its error queue ends its receive
/// span without error, and one whose acknowledgement a broker restart lost ends it in error.
/// </summary>
public static class DeliveryOutcome
{
    public const string Tag = "lgsp.delivery.outcome";

    /// <summary>A consumer took it: the delivery succeeded.</summary>
    public const string Consumed = "consumed";

    /// <summary>Its retries and redeliveries are spent: moved to the endpoint's _error queue, the delivery failed.</summary>
    public const string ErrorQueue = "error-queue";

    /// <summary>Its immediate retries failed: it waits in a wait queue and comes back (<see cref="Redelivery"/>).</summary>
    public const string Redelivered = "redelivered";

    /// <summary>Not acknowledged (the connection or channel went away): the broker delivers it again.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>No consumer of the endpoint takes its type: moved to the _skipped queue.</summary>
    public const string Skipped = "skipped";

    /// <summary>Notes on the delivery what became of it, for the receive observer to put on the span once the receive ends.</summary>
    internal static void Note(PipeContext context, string outcome) =>
        context.AddOrUpdatePayload(() => new Noted(outcome), _ => new Noted(outcome));

    /// <summary>
    /// The endpoint's error pipe as MassTransit builds it by default (a Fault, then the move to the _error queue), and
    /// then the note: a configured error pipe replaces the default one, so both of its filters are named here.
    /// </summary>
    internal static void ConfigureErrorPipe(IReceiveEndpointConfigurator endpoint) =>
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
            error.UseFilter(new NoteErrorQueueFilter());
        });

    internal sealed record Noted(string Outcome);

    /// <summary>Runs only once the move to the error queue succeeded (the filter before it calls on only then).</summary>
    private sealed class NoteErrorQueueFilter : IFilter<ExceptionReceiveContext>
    {
        public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
        {
            Note(context, ErrorQueue);
            return next.Send(context);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("noteErrorQueue");
    }
}

/// <summary>
/// Puts <see cref="DeliveryOutcome.Tag"/> on each receive span as the receive ends. MassTransit calls its receive
/// observers inside the receive span, so the current activity is that span.
/// </summary>
internal sealed class DeliveryOutcomeObserver : IReceiveObserver
{
    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        // Acknowledged: noted on the way (error queue, wait queue), else consumed, or skipped when no consumer took it.
        TagSpan(context.TryGetPayload(out DeliveryOutcome.Noted? noted) ? noted.Outcome
            : context.IsDelivered ? DeliveryOutcome.Consumed : DeliveryOutcome.Skipped);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        // Also called as a message starts on its way to the error queue (PostReceive tags it again once it is there).
        // After the move, the message is in the error queue whatever failed next; before, it was not acknowledged and
        // the broker gives it out again.
        TagSpan(context.TryGetPayload(out DeliveryOutcome.Noted? noted) && noted.Outcome == DeliveryOutcome.ErrorQueue
            ? DeliveryOutcome.ErrorQueue
            : DeliveryOutcome.Interrupted);
        return Task.CompletedTask;
    }

    private static void TagSpan(string outcome)
    {
        if (Activity.Current is { Kind: ActivityKind.Consumer } span && span.GetTagItem(DiagnosticHeaders.Messaging.Operation) as string == "receive")
            span.SetTag(DeliveryOutcome.Tag, outcome);
    }
}
