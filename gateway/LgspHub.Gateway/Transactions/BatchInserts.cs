using System.Data.Common;
using LgspHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace LgspHub.Gateway.Transactions;

/// <summary>
/// The record writer's own context on the gateway database, open while it writes: a batch is one transaction, its rows
/// written in bulk from the EF model: one prepared INSERT executed a row on SQLite (<see cref="ModelInsert{TRow}"/>),
/// COPY on PostgreSQL (<see cref="ModelCopy{TRow}"/>). A DbContext, a pooled connection and its PRAGMA for every batch
/// cost a tenth of the gateway's CPU once the audit's group commit made a batch every few milliseconds. Not thread-safe:
/// the one writer uses it. After a failed batch it starts again from a new connection.
/// </summary>
internal sealed class BatchInserts(IServiceScopeFactory scopes) : IAsyncDisposable
{
    /// <summary>Any number, the same in every gateway: the lock under which one gateway at a time extends the audit chain on a shared server.</summary>
    private const long AuditChainLock = 0x4C475341;

    private AsyncServiceScope? _scope;
    private GatewayDb? _db;
    private IBulkRows? _rows;
    private bool _sharedChain;

    /// <summary>
    /// Writes the records and the entries in one transaction, the entries chained after <paramref name="head"/>; returns
    /// the chain's new head. A SQLite file is one gateway's, so the head it holds is the chain's. A PostgreSQL database is
    /// shared by the hub's gateways, all appending to one chain: the batch takes the chain's lock and links after the
    /// head the database holds, whichever gateway wrote it.
    /// </summary>
    public async Task<(long Sequence, string Hash)> WriteAsync(List<TransactionRecord> records, List<AuditEntry> entries, (long Sequence, string Hash) head)
    {
        try
        {
            var (db, rows) = _rows is { } open ? (_db!, open) : await OpenAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            if (_sharedChain && entries.Count > 0)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AuditChainLock})");
                head = await AuditChain.HeadAsync(db);
            }
            head = AuditChain.Link(entries, head);
            await rows.WriteAsync(transaction.GetDbTransaction(), records, entries);
            await transaction.CommitAsync();
            return head;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task<(GatewayDb, IBulkRows)> OpenAsync()
    {
        _scope = scopes.CreateAsyncScope();
        var db = _scope.Value.ServiceProvider.GetRequiredService<GatewayDb>();
        // Opened through EF, so its interceptors (SQLite's synchronous=NORMAL) apply to this connection too.
        await db.Database.OpenConnectionAsync();
        _db = db;
        _sharedChain = db.Database.IsNpgsql();
        _rows = _sharedChain ? new Copies(db) : new Inserts(db);
        return (db, _rows);
    }

    public async ValueTask DisposeAsync()
    {
        _rows?.Dispose();
        if (_scope is { } scope)
            await scope.DisposeAsync();
        (_scope, _db, _rows) = (null, null, null);
    }

    /// <summary>One engine's bulk path for a batch's rows, in the batch's transaction.</summary>
    private interface IBulkRows : IDisposable
    {
        Task WriteAsync(DbTransaction transaction, List<TransactionRecord> records, List<AuditEntry> entries);
    }

    private sealed class Inserts(GatewayDb db) : IBulkRows
    {
        private readonly ModelInsert<TransactionRecord> _records = new(db, db.Database.GetDbConnection());
        private readonly ModelInsert<AuditEntry> _audit = new(db, db.Database.GetDbConnection());

        public Task WriteAsync(DbTransaction transaction, List<TransactionRecord> records, List<AuditEntry> entries)
        {
            _records.Insert(transaction, records);
            _audit.Insert(transaction, entries);
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            _records.Dispose();
            _audit.Dispose();
        }
    }

    private sealed class Copies(GatewayDb db) : IBulkRows
    {
        private readonly ModelCopy<TransactionRecord> _records = new(db);
        private readonly ModelCopy<AuditEntry> _audit = new(db);

        /// <summary>COPY runs in the connection's open transaction; a COPY of no rows would still be a round trip.</summary>
        public async Task WriteAsync(DbTransaction transaction, List<TransactionRecord> records, List<AuditEntry> entries)
        {
            if (records.Count > 0)
                await _records.CopyAsync(records);
            if (entries.Count > 0)
                await _audit.CopyAsync(entries);
        }

        public void Dispose()
        {
        }
    }
}
