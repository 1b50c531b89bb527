using System.Diagnostics.Metrics;
using System.Threading.Channels;
using LgspHub.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Transactions;

/// <summary>
/// Takes records from the request path without waiting (a bounded queue; when full, a record is
/// dropped and counted) and writes them in batches in the background, then purges old ones.
/// </summary>
public sealed class TransactionLog : BackgroundService
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(10);

    private readonly Channel<object> _queue;
    private readonly IServiceScopeFactory _scopes;
    private readonly RecordOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<TransactionLog> _logger;
    private readonly Counter<long> _dropped;

    public TransactionLog(IServiceScopeFactory scopes, IOptions<RecordOptions> options, TimeProvider clock, IMeterFactory meters, ILogger<TransactionLog> logger)
    {
        (_scopes, _options, _clock, _logger) = (scopes, options.Value, clock, logger);
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
        _dropped = meters.Create("LgspHub.Gateway").CreateCounter<long>("lgsp.records.dropped", description: "Transaction or audit records dropped because the writer fell behind");
    }

    public void Write(TransactionRecord record) => Enqueue(record);

    public void Write(AuditEntry entry) => Enqueue(entry);

    private void Enqueue(object record)
    {
        if (!_queue.Writer.TryWrite(record))
            _dropped.Add(1);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using (var scope = _scopes.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<GatewayDb>().EnsureSqliteSchemaAsync(_logger);

        var nextPurge = _clock.GetUtcNow();
        var batch = new List<object>(1_000);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < 1_000 && _queue.Reader.TryRead(out var record))
                    batch.Add(record);
                await WriteAsync(batch);
                batch.Clear();
                if (_clock.GetUtcNow() >= nextPurge)
                {
                    nextPurge = _clock.GetUtcNow() + PurgeEvery;
                    try
                    {
                        await PurgeAsync();
                    }
                    catch (Exception e) when (e is DbUpdateException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
                    {
                        _logger.LogError(e, "Could not purge old records; trying again in {Minutes} minutes", PurgeEvery.TotalMinutes);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Write what the queue still holds before the process ends.
        while (_queue.Reader.TryRead(out var record))
            batch.Add(record);
        await WriteAsync(batch);
    }

    private async Task WriteAsync(List<object> batch)
    {
        if (batch.Count == 0)
            return;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.AddRange(batch);
            await db.SaveChangesAsync();
        }
        catch (Exception e) when (e is DbUpdateException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            _dropped.Add(batch.Count);
            _logger.LogError(e, "Could not write {Count} transaction records", batch.Count);
        }
    }

    private async Task PurgeAsync()
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
        var now = _clock.GetUtcNow();
        var transactionsBefore = now - _options.TransactionRetention;
        var auditBefore = now - _options.AuditRetention;
        await db.Transactions.Where(r => r.RequestInAt < transactionsBefore).ExecuteDeleteAsync();
        await db.Audit.Where(a => a.At < auditBefore).ExecuteDeleteAsync();
    }
}
