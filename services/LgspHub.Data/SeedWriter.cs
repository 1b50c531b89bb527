using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LgspHub.Data;

/// <summary>
/// Writes seed rows through one prepared INSERT, bound afresh for each row, on the context's connection and
/// inside its open transaction. Hand-written because EF Core has no bulk insert: SaveChanges tracks every
/// entity and builds a new batched statement every few hundred rows, which for a full province (1.5 million
/// citizens) takes minutes and gigabytes. Table, columns and value conversions come from the EF model, so
/// the rows are stored as EF would store them and read back through it unchanged.
/// </summary>
public static class SeedWriter
{
    /// <summary>Inserts <paramref name="rows"/> as they are enumerated (never all in memory); returns how many.</summary>
    public static long Insert<TRow>(DbContext db, IEnumerable<TRow> rows, CancellationToken cancellationToken = default)
        where TRow : class
    {
        var entityType = db.Model.FindEntityType(typeof(TRow))
            ?? throw new InvalidOperationException($"{typeof(TRow).Name} is not an entity of {db.GetType().Name}.");
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Seed rows are written inside the transaction that creates the schema.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var columns = entityType.GetProperties().Where(p => p.GetColumnName(table) is not null).ToArray();
        if (columns.FirstOrDefault(p => p.IsShadowProperty() || p.ValueGenerated.HasFlag(ValueGenerated.OnAdd)) is { } unsupported)
            throw new NotSupportedException($"{entityType.DisplayName()}.{unsupported.Name}: seed rows carry every value themselves.");

        var sql = db.GetService<ISqlGenerationHelper>();
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
            $"({string.Join(", ", columns.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
        var bindings = columns.Select((property, i) =>
        {
            // The mapping sets the parameter's type once (as EF would); each row then only changes its value.
            var mapping = property.GetRelationalTypeMapping();
            var parameter = mapping.CreateParameter(command, "@p" + i, null, property.IsNullable);
            command.Parameters.Add(parameter);
            return new Binding(property.GetGetter(), mapping.Converter, parameter);
        }).ToArray();
        command.Prepare();

        long written = 0;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var binding in bindings)
                binding.Bind(row);
            // Synchronous on purpose: Microsoft.Data.Sqlite runs its async calls synchronously, and a task per
            // row would only add allocations.
            command.ExecuteNonQuery();
            written++;
        }
        return written;
    }

    private sealed record Binding(IClrPropertyGetter Getter, ValueConverter? Converter, DbParameter Parameter)
    {
        public void Bind(object row)
        {
            var value = Getter.GetClrValue(row);
            Parameter.Value = (value is null || Converter is null ? value : Converter.ConvertToProvider(value)) ?? DBNull.Value;
        }
    }
}
