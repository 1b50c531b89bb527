using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LgspHub.Data;

/// <summary>
/// Writes seed rows on the context's connection, inside the transaction that creates the schema: with COPY on
/// PostgreSQL (<see cref="ModelCopy{TRow}"/>), with one prepared INSERT on SQLite (<see cref="ModelInsert{TRow}"/>).
/// </summary>
public static class SeedWriter
{
    /// <summary>Writes <paramref name="rows"/> as they are enumerated (never all in memory); returns how many.</summary>
    public static async Task<long> WriteAsync<TRow>(DbContext db, IEnumerable<TRow> rows, CancellationToken cancellationToken = default)
        where TRow : class
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Seed rows are written inside the transaction that creates the schema.");
        var table = new ModelTable<TRow>(db);
        if (table.Columns.FirstOrDefault(p => p.IsShadowProperty() || p.ValueGenerated.HasFlag(ValueGenerated.OnAdd)) is { } unsupported)
            throw new NotSupportedException($"{unsupported.DeclaringType.DisplayName()}.{unsupported.Name}: seed rows carry every value themselves.");
        if (db.Database.IsNpgsql())
            return await new ModelCopy<TRow>(db).CopyAsync(rows, cancellationToken);
        using var insert = new ModelInsert<TRow>(db, db.Database.GetDbConnection());
        return insert.Insert(transaction, rows, cancellationToken);
    }
}
