using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LgspHub.Data;

/// <summary>Writes seed rows (<see cref="ModelInsert{TRow}"/>) on the context's connection, inside the transaction that creates the schema.</summary>
public static class SeedWriter
{
    /// <summary>Inserts <paramref name="rows"/> as they are enumerated (never all in memory); returns how many.</summary>
    public static long Insert<TRow>(DbContext db, IEnumerable<TRow> rows, CancellationToken cancellationToken = default)
        where TRow : class
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Seed rows are written inside the transaction that creates the schema.");
        using var insert = new ModelInsert<TRow>(db, db.Database.GetDbConnection());
        if (insert.Columns.FirstOrDefault(p => p.IsShadowProperty() || p.ValueGenerated.HasFlag(ValueGenerated.OnAdd)) is { } unsupported)
            throw new NotSupportedException($"{unsupported.DeclaringType.DisplayName()}.{unsupported.Name}: seed rows carry every value themselves.");
        return insert.Insert(transaction, rows, cancellationToken);
    }
}
