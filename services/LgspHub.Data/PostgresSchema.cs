using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace LgspHub.Data;

public static class PostgresSchema
{
    /// <summary>The one-row table that holds the model's schema version (SQLite keeps it in user_version).</summary>
    public const string VersionTable = "LgspSchema";

    /// <summary>Any number, the same in every instance: the advisory lock under which one instance creates the schema.</summary>
    private const long CreationLock = 0x4C475350;

    /// <summary>
    /// Creates the database if the server lacks it, then the schema, filled by <paramref name="fill"/> in the same
    /// transaction (PostgreSQL's DDL is transactional too). Instances starting together take turns through an advisory
    /// lock: one creates and seeds, the others then find the tables. A server database is not set aside as a SQLite file
    /// is: one of another schema version is refused, naming both versions, and the host does not start.
    /// </summary>
    public static async Task EnsurePostgresSchemaAsync(this DbContext db, Func<Task>? fill = null)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync())
        {
            try
            {
                await creator.CreateAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Another instance created it first.
            }
        }
        var version = DatabaseStore.SchemaVersion(db);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({CreationLock})");
        if (await creator.HasTablesAsync())
        {
#pragma warning disable EF1002 // the table name is a constant of this class, not input
            var stored = await db.Database.SqlQueryRaw<int>($"SELECT \"Version\" AS \"Value\" FROM \"{VersionTable}\"").SingleAsync();
#pragma warning restore EF1002
            if (stored != version)
                throw new InvalidOperationException(
                    $"The {db.GetType().Name} schema of this server database is version {stored}, and this build's is {version}: "
                    + "start the build that made it, or give this one a new database.");
            await transaction.CommitAsync();
            return;
        }
        await creator.CreateTablesAsync();
#pragma warning disable EF1002 // the table name is a constant of this class, the version a number computed here
        await db.Database.ExecuteSqlRawAsync(
            $"CREATE TABLE \"{VersionTable}\" (\"Version\" integer NOT NULL); INSERT INTO \"{VersionTable}\" VALUES ({version.ToString(CultureInfo.InvariantCulture)})");
#pragma warning restore EF1002
        if (fill is not null)
            await fill();
        await transaction.CommitAsync();
    }
}
