using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LgspHub.Messaging.Outbox;

/// <summary>Wakes the dispatcher as soon as a transaction that added outbox messages commits.</summary>
public sealed class OutboxSignal : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Wake();
        return ValueTask.FromResult(result);
    }

    // Inside an explicit transaction the rows become visible only at commit.
    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Wake();
        return Task.CompletedTask;
    }

    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up or the poll interval, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan poll, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(poll);
        try
        {
            await _wake.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}

public static class OutboxTelemetry
{
    public const string ActivitySourceName = "LgspHub.Outbox";
}

/// <summary>
/// Publishes outbox messages at least once, with publisher confirms, a batch at a time: the batch's
/// publishes go out together (each awaiting its own confirm), then the confirmed ones are marked sent in
/// one commit. Awaiting each confirm and committing after each message ran at a tenth of the bus's rate
/// (docs/performance.md). A publish that fails stays pending and goes out in a later pass, after messages
/// that were behind it: order is not kept. Every consumer is idempotent by business key (the dossier id,
/// the personal id, a change's time), so a message published twice or late changes nothing.
/// Sent messages are deleted after a day: their bodies hold personal data, kept no longer than needed.
/// Written here because MassTransit's Entity Framework outbox package is not available to this project.
/// Instances of an agency that share its database take turns through a lease: one dispatches, and
/// another takes over within <see cref="LeaseTime"/> when it stops renewing.
/// </summary>
public sealed class OutboxDispatcher<TDb>(IServiceScopeFactory scopes, IBus bus, OutboxSignal signal, TimeProvider clock, ILogger<OutboxDispatcher<TDb>> logger)
    : BackgroundService where TDb : DbContext, IHasOutbox
{
    private const int BatchSize = 100;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(10);
    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private DateTimeOffset _nextPurge;
    private DateTimeOffset _renewLeaseAt;   // while held: half-way through the lease
    private static readonly ActivitySource Source = new(OutboxTelemetry.ActivitySourceName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DispatchBatchAsync(stoppingToken) > 0)
                    continue;
                failures = 0;
                await signal.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The broker is away or the database busy: keep the messages and try again, backing off.
                failures++;
                logger.LogWarning(e, "Outbox dispatch failed ({Failures} in a row); retrying", failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, failures))), clock, stoppingToken);
            }
        }
    }

    private async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        if (!await HoldLeaseAsync(db, cancellationToken))
            return 0;   // another instance dispatches; the poll comes back to check its lease
        await PurgeSentAsync(db, cancellationToken);
        var pending = await db.Outbox.Where(m => m.SentAt == null && m.Error == null).OrderBy(m => m.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
        if (pending.Count == 0)
            return 0;

        // Started in sequence order, so the wire mostly keeps it; up to a batch await their confirms at once.
        using var confirmed = new CancellationTokenSource(PublisherConfirms.Timeout, clock);
        using var publishing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, confirmed.Token);
        var failures = await Task.WhenAll(pending.Select(message => PublishAsync(message, publishing.Token, cancellationToken)));
        var now = clock.GetUtcNow();
        for (var i = 0; i < pending.Count; i++)
        {
            if (failures[i] is null && pending[i].Error is null)
                pending[i].SentAt = now;
        }
        // One commit for the batch: the confirmed ones sent, the unreadable ones set aside. Should it fail,
        // the confirmed ones go out again: consumers are idempotent.
        await db.SaveChangesAsync(cancellationToken);

        if (failures.FirstOrDefault(e => e is not null) is { } failure)
            throw new OutboxPublishException(failures.Count(e => e is not null), pending.Count, failure);
        return pending.Count;
    }

    /// <summary>Publishes one message and awaits its confirm: null once confirmed or set aside, else why not (it stays pending).</summary>
    /// <param name="publishing">Cancelled when the agency stops or the confirm is late (<see cref="PublisherConfirms"/>).</param>
    private async Task<Exception?> PublishAsync(OutboxMessage message, CancellationToken publishing, CancellationToken stopping)
    {
        using var activity = message.TraceParent is null
            ? null
            : Source.StartActivity("outbox publish", ActivityKind.Internal, message.TraceParent);
        if (Read(message) is not { } readable)
            return null;
        try
        {
            // Mandatory: RabbitMQ returns an event that no queue takes (a consumer's queue deleted) instead of confirming and
            // dropping it; MassTransit then throws, and the message stays pending for a later pass.
            await bus.Publish(readable.Body, readable.Type, context =>
            {
                context.MessageId = message.MessageId;
                context.Mandatory = true;
            }, publishing);
            return null;
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            var failure = e is OperationCanceledException ? new TimeoutException($"no confirm within {PublisherConfirms.Timeout.TotalSeconds:0} s", e) : e;
            activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
            return failure;
        }
    }

    /// <summary>Takes or renews the database's single lease row; true while this instance holds it.</summary>
    private async Task<bool> HoldLeaseAsync(TDb db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Renewing is a commit, and a commit waits for the disk: while more than half the lease is left, no
        // other instance can take it, so the pass goes on without renewing.
        if (now < _renewLeaseAt)
            return true;
        var until = now + LeaseTime;
        var held = await db.OutboxLeases.Where(l => l.Id == OutboxLease.TheLease && (l.Holder == _instance || l.Until < now))
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.Holder, _instance).SetProperty(x => x.Until, until), cancellationToken);
        if (held == 1)
        {
            _renewLeaseAt = now + LeaseTime / 2;
            return true;
        }
        if (await db.OutboxLeases.AnyAsync(cancellationToken))
            return false;
        try
        {
            db.OutboxLeases.Add(new OutboxLease { Id = OutboxLease.TheLease, Holder = _instance, Until = until });
            await db.SaveChangesAsync(cancellationToken);
            _renewLeaseAt = now + LeaseTime / 2;
            return true;
        }
        catch (DbUpdateException)
        {
            // Another instance created it first.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    private (object Body, Type Type)? Read(OutboxMessage message)
    {
        try
        {
            return message.Deserialize();
        }
        catch (Exception e) when (e is TypeLoadException or System.Text.Json.JsonException or NotSupportedException or ArgumentException)
        {
            // A message that can never be read must not block the ones behind it.
            message.Error = $"{e.GetType().Name}: unreadable {message.MessageType}";
            logger.LogError("Outbox message {Sequence} ({Type}) cannot be read and is set aside", message.Sequence, message.MessageType);
            return null;
        }
    }

    private async Task PurgeSentAsync(TDb db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < _nextPurge)
            return;
        _nextPurge = now + PurgeEvery;
        var cutoff = now - Retention;
        await db.Outbox.Where(m => m.SentAt != null && m.SentAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>Some publishes of a batch were not confirmed: they stay pending, and the dispatcher backs off before the next pass.</summary>
public sealed class OutboxPublishException(int failed, int batch, Exception first)
    : Exception($"{failed} of {batch} outbox messages were not confirmed; they stay pending", first);
