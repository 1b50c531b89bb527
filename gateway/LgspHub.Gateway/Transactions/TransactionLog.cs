using System.Diagnostics.Metrics;
using System.Threading.Channels;
using LgspHub.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace LgspHub.Gateway.Transactions;

/// <summary>
/// Takes records from the request path without waiting (a bounded queue; when full, a record is
/// dropped and counted) and writes them in batches in the background, then purges old ones.
/// </summary>
public sealed class TransactionLog : BackgroundService
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long the writer lets a batch gather once a record is waiting. Written as they came, batches under
    /// load held a few records each, and every commit rewrote the touched table and index pages to the
    /// write-ahead log and synced it: the gateway's largest cost after the proxying itself.
    /// </summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(25);

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
                await Task.Delay(BatchWindow, stoppingToken);
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

    /// <summary>
    /// One transaction and one prepared INSERT per table for the whole batch. EF's change tracker,
    /// one row at a time, cost the gateway a quarter of its throughput under load; the model still
    /// decides the SQL and how each value is stored, so EF reads back what this writes.
    /// </summary>
    private async Task WriteAsync(List<object> batch)
    {
        if (batch.Count == 0)
            return;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var connection = db.Database.GetDbConnection();
            foreach (var group in batch.GroupBy(r => r.GetType()))
            {
                var entity = db.Model.FindEntityType(group.Key)!;
                var properties = entity.GetProperties().ToList();
                await using var command = connection.CreateCommand();
                command.Transaction = transaction.GetDbTransaction();
                command.CommandText = $"INSERT INTO \"{entity.GetTableName()}\" ({string.Join(", ", properties.Select(p => $"\"{p.GetColumnName()}\""))}) " +
                    $"VALUES ({string.Join(", ", properties.Select((_, i) => $"@p{i}"))})";
                foreach (var row in group)
                {
                    command.Parameters.Clear();
                    for (var i = 0; i < properties.Count; i++)
                    {
                        // The mapping applies the model's converters (times as numbers, enums as integers).
                        var mapping = (RelationalTypeMapping)properties[i].GetTypeMapping();
                        command.Parameters.Add(mapping.CreateParameter(command, $"@p{i}", properties[i].PropertyInfo!.GetValue(row), properties[i].IsNullable));
                    }
                    await command.ExecuteNonQueryAsync();
                }
            }
            await transaction.CommitAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A batch that cannot be written is counted and logged; it never stops the gateway.
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
