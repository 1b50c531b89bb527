using System.Data.Common;
using LgspHub.Data;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Gateway.Transactions;

/// <summary>
/// The record writer's own connection to the gateway database, open while it writes, with one prepared INSERT per
/// table (<see cref="ModelInsert{TRow}"/>): a batch is one transaction and one execution a row. A DbContext, a pooled
/// connection and its PRAGMA for every batch cost a tenth of the gateway's CPU once the audit's group commit made a
/// batch every few milliseconds. Not thread-safe: the one writer uses it. After a failed batch it starts again from a
/// new connection.
/// </summary>
internal sealed class BatchInserts(IServiceScopeFactory scopes) : IAsyncDisposable
{
    private AsyncServiceScope? _scope;
    private DbConnection? _connection;
    private ModelInsert<TransactionRecord>? _records;
    private ModelInsert<AuditEntry>? _audit;

    public async Task WriteAsync(List<TransactionRecord> records, List<AuditEntry> entries)
    {
        try
        {
            var connection = _connection ?? await OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            _records!.Insert(transaction, records);
            _audit!.Insert(transaction, entries);
            await transaction.CommitAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task<DbConnection> OpenAsync()
    {
        _scope = scopes.CreateAsyncScope();
        var db = _scope.Value.ServiceProvider.GetRequiredService<GatewayDb>();
        // Opened through EF, so its interceptors (synchronous=NORMAL) apply to this connection too.
        await db.Database.OpenConnectionAsync();
        _connection = db.Database.GetDbConnection();
        _records = new ModelInsert<TransactionRecord>(db, _connection);
        _audit = new ModelInsert<AuditEntry>(db, _connection);
        return _connection;
    }

    public async ValueTask DisposeAsync()
    {
        _records?.Dispose();
        _audit?.Dispose();
        if (_scope is { } scope)
            await scope.DisposeAsync();
        (_scope, _connection, _records, _audit) = (null, null, null, null);
    }
}
