using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LgspHub.Data;

/// <summary>
/// An entity's table as the EF model maps it: the table, its columns, and each row's values as EF would store them
/// (through the model's value conversions). The bulk writers (<see cref="ModelInsert{TRow}"/>, <see cref="ModelCopy{TRow}"/>)
/// write from it, so rows written in bulk read back through EF unchanged.
/// </summary>
public sealed class ModelTable<TRow> where TRow : class
{
    public ModelTable(DbContext db)
    {
        var entityType = db.Model.FindEntityType(typeof(TRow))
            ?? throw new InvalidOperationException($"{typeof(TRow).Name} is not an entity of {db.GetType().Name}.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        Columns = entityType.GetProperties().Where(p => p.GetColumnName(table) is not null).ToArray();
        var sql = db.GetService<ISqlGenerationHelper>();
        Name = sql.DelimitIdentifier(table.Name, table.Schema);
        ColumnNames = string.Join(", ", Columns.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        StoredValues = [.. Columns.Select(StoredValue)];
    }

    /// <summary>The properties written, one column each.</summary>
    public IReadOnlyList<IProperty> Columns { get; }

    /// <summary>The table's name, delimited for SQL.</summary>
    public string Name { get; }

    /// <summary>The columns' names, delimited and comma-separated, in <see cref="Columns"/>' order.</summary>
    public string ColumnNames { get; }

    /// <summary>For each of <see cref="Columns"/>, what it holds for a row: the property's value, converted as the model converts it.</summary>
    public IReadOnlyList<Func<TRow, object?>> StoredValues { get; }

    private static Func<TRow, object?> StoredValue(IProperty column)
    {
        var getter = column.GetGetter();
        var converter = column.GetRelationalTypeMapping().Converter;
        return converter is null
            ? row => getter.GetClrValue(row)
            : row => getter.GetClrValue(row) is { } value ? converter.ConvertToProvider(value) : null;
    }
}
