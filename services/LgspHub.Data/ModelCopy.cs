using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace LgspHub.Data;

/// <summary>
/// An entity's rows written with PostgreSQL's COPY (binary), its bulk load: one stream for all the rows instead of a
/// statement each. Table, columns, types and value conversions come from the EF model (<see cref="ModelTable{TRow}"/>),
/// read once; each <see cref="CopyAsync"/> runs on the context's connection, in its transaction.
/// </summary>
public sealed class ModelCopy<TRow> where TRow : class
{
    private readonly DbContext _db;
    private readonly IReadOnlyList<Func<TRow, object?>> _values;
    private readonly string[] _types;
    private readonly string _command;

    public ModelCopy(DbContext db)
    {
        var table = new ModelTable<TRow>(db);
        _db = db;
        _values = table.StoredValues;
        // COPY names each value's type by the column's store type without its facets ("character varying", not "(12)").
        _types = table.Columns.Select(c => c.GetRelationalTypeMapping().StoreTypeNameBase).ToArray();
        _command = $"COPY {table.Name} ({table.ColumnNames}) FROM STDIN (FORMAT BINARY)";
    }

    /// <summary>Copies <paramref name="rows"/> as they are enumerated (never all in memory); returns how many.</summary>
    public async Task<long> CopyAsync(IEnumerable<TRow> rows, CancellationToken cancellationToken = default)
    {
        var connection = (NpgsqlConnection)_db.Database.GetDbConnection();
        long written = 0;
        await using var copy = await connection.BeginBinaryImportAsync(_command, cancellationToken);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(cancellationToken);
            for (var i = 0; i < _values.Count; i++)
            {
                if (_values[i](row) is { } value)
                    await copy.WriteAsync(value, _types[i], cancellationToken);
                else
                    await copy.WriteNullAsync(cancellationToken);
            }
            written++;
        }
        await copy.CompleteAsync(cancellationToken);
        return written;
    }
}
