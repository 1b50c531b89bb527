using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LgspHub.Gateway.Transactions;

/// <summary>
/// The record writer's own connection to the gateway database, open while it writes, with one prepared INSERT per
/// table: a batch is one transaction and one execution a row. A DbContext, a pooled connection and its PRAGMA for
/// every batch cost a tenth of the gateway's CPU once the audit's group commit made a batch every few milliseconds,
/// and EF's change tracker, one row at a time, a quarter of its throughput before that. EF's model still decides the
/// SQL and how each value is stored (converters, column names), so EF reads back what this writes. Not thread-safe:
/// the one writer uses it. After a failed batch it starts again from a new connection.
/// </summary>
internal sealed class BatchInserts(IServiceScopeFactory scopes) : IAsyncDisposable
{
    private AsyncServiceScope? _scope;
    private DbConnection? _connection;
    private TableInsert<TransactionRecord>? _records;
    private TableInsert<AuditEntry>? _audit;

    public async Task WriteAsync(List<TransactionRecord> records, List<AuditEntry> entries)
    {
        try
        {
            var connection = _connection ?? await OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await _records!.InsertAsync(transaction, records);
            await _audit!.InsertAsync(transaction, entries);
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
        _records = new TableInsert<TransactionRecord>(db, _connection);
        _audit = new TableInsert<AuditEntry>(db, _connection);
        return _connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_records is not null)
            await _records.DisposeAsync();
        if (_audit is not null)
            await _audit.DisposeAsync();
        if (_scope is { } scope)
            await scope.DisposeAsync();
        (_scope, _connection, _records, _audit) = (null, null, null, null);
    }

    private sealed class TableInsert<T> : IAsyncDisposable
    {
        private readonly DbCommand _command;
        private readonly (DbParameter Parameter, RelationalTypeMapping Mapping, IClrPropertyGetter Value)[] _columns;

        public TableInsert(GatewayDb db, DbConnection connection)
        {
            var entity = db.Model.FindEntityType(typeof(T))!;
            var properties = entity.GetProperties().ToList();
            _command = connection.CreateCommand();
            _command.CommandText = $"INSERT INTO \"{entity.GetTableName()}\" ({string.Join(", ", properties.Select(p => $"\"{p.GetColumnName()}\""))}) " +
                $"VALUES ({string.Join(", ", properties.Select((_, i) => $"@p{i}"))})";
            _columns = properties.Select((property, i) =>
            {
                var mapping = (RelationalTypeMapping)property.GetTypeMapping();
                // Created once with the column's type; each row only sets the value.
                var parameter = mapping.CreateParameter(_command, $"@p{i}", null, property.IsNullable);
                _command.Parameters.Add(parameter);
                return (parameter, mapping, property.GetGetter());
            }).ToArray();
        }

        public async Task InsertAsync(DbTransaction transaction, List<T> rows)
        {
            _command.Transaction = transaction;
            foreach (var row in rows)
            {
                foreach (var (parameter, mapping, value) in _columns)
                {
                    // The mapping's converter stores the value as the model says (times as numbers, enums as integers).
                    var clrValue = value.GetClrValueUsingContainingEntity(row!);
                    parameter.Value = (mapping.Converter is { } converter ? converter.ConvertToProvider(clrValue) : clrValue) ?? DBNull.Value;
                }
                await _command.ExecuteNonQueryAsync();
            }
        }

        public ValueTask DisposeAsync() => _command.DisposeAsync();
    }
}
