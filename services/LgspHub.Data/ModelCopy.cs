using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace LgspHub.Data;

/// <summary>
/// An entity's rows written with PostgreSQL's COPY (binary), its bulk load: one stream for all the rows instead of a
/// statement each. Table, columns, types and value conversions come from the EF model (<see cref="ModelTable{TRow}"/>).
/// </summary>
public static class ModelCopy
{
    /// <summary>Copies <paramref name="rows"/> as they are enumerated (never all in memory) on the context's connection and transaction; returns how many.</summary>
    public static async Task<long> CopyAsync<TRow>(DbContext db, IEnumerable<TRow> rows, CancellationToken cancellationToken = default) where TRow : class
    {
        var table = new ModelTable<TRow>(db);
        var values = table.StoredValues;
        // COPY names each value's type by the column's store type without its facets ("character varying", not "(12)").
        var types = table.Columns.Select(c => c.GetRelationalTypeMapping().StoreTypeNameBase).ToArray();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        long written = 0;
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {table.Name} ({table.ColumnNames}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(cancellationToken);
            for (var i = 0; i < values.Count; i++)
            {
                if (values[i](row) is { } value)
                    await copy.WriteAsync(value, types[i], cancellationToken);
                else
                    await copy.WriteNullAsync(cancellationToken);
            }
            written++;
        }
        await copy.CompleteAsync(cancellationToken);
        return written;
    }
}
