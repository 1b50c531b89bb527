using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace LgspHub.Data;

/// <summary>
/// One INSERT of an entity's rows, prepared once on a connection and bound afresh for each row. Hand-written because
/// EF Core has no bulk insert: SaveChanges tracks every entity and builds a new batched statement every few hundred
/// rows, which costs a full province's seed minutes and gigabytes, and the gateway's record writer a quarter of its
/// throughput. Table, columns and value conversions come from the EF model, so the rows are stored as EF would store
/// them and read back through it unchanged. Not thread-safe: one writer uses it.
/// </summary>
public sealed class ModelInsert<TRow> : IDisposable where TRow : class
{
    private readonly DbCommand _command;
    private readonly Binding[] _bindings;

    public ModelInsert(DbContext db, DbConnection connection)
    {
        var table = new ModelTable<TRow>(db);
        Columns = table.Columns;
        var values = table.StoredValues;
        _command = connection.CreateCommand();
        _command.CommandText = $"INSERT INTO {table.Name} ({table.ColumnNames}) VALUES ({string.Join(", ", Columns.Select((_, i) => "@p" + i))})";
        _bindings = Columns.Select((property, i) =>
        {
            // The mapping sets the parameter's type once (as EF would); each row then only changes its value.
            var parameter = property.GetRelationalTypeMapping().CreateParameter(_command, "@p" + i, null, property.IsNullable);
            _command.Parameters.Add(parameter);
            return new Binding(values[i], parameter);
        }).ToArray();
    }

    /// <summary>The properties written, one column each.</summary>
    public IReadOnlyList<IProperty> Columns { get; }

    /// <summary>Inserts <paramref name="rows"/> as they are enumerated (never all in memory), inside <paramref name="transaction"/>; returns how many.</summary>
    public long Insert(DbTransaction transaction, IEnumerable<TRow> rows, CancellationToken cancellationToken = default)
    {
        _command.Transaction = transaction;
        long written = 0;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var binding in _bindings)
                binding.Bind(row);
            // Synchronous on purpose: Microsoft.Data.Sqlite runs its async calls synchronously, and a task per row
            // would only add allocations. The statement is compiled on the first row and kept for the others.
            _command.ExecuteNonQuery();
            written++;
        }
        return written;
    }

    public void Dispose() => _command.Dispose();

    private sealed record Binding(Func<TRow, object?> StoredValue, DbParameter Parameter)
    {
        public void Bind(TRow row) => Parameter.Value = StoredValue(row) ?? DBNull.Value;
    }
}
