using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LgspHub.Data;

/// <summary>
/// Where a host keeps its data, chosen by its connection string: a PostgreSQL server when the string names a Host
/// (Npgsql's keyword), else a SQLite file ("Data Source=…"), the embedded default of <c>./lgsp up</c>.
/// </summary>
public static class DatabaseStore
{
    public static bool IsPostgres(string connectionString) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString } is var parts && (parts.ContainsKey("Host") || parts.ContainsKey("Server"));

    public static DbContextOptionsBuilder UseStore(this DbContextOptionsBuilder options, string connectionString) =>
        IsPostgres(connectionString) ? options.UseNpgsql(connectionString) : options.UseSqlite(connectionString);

    public static DbContextOptionsBuilder<TDb> UseStore<TDb>(this DbContextOptionsBuilder<TDb> options, string connectionString) where TDb : DbContext =>
        (DbContextOptionsBuilder<TDb>)((DbContextOptionsBuilder)options).UseStore(connectionString);

    /// <summary>Whether a save broke a unique key (on SQLite, any constraint): another writer stored the same key first.</summary>
    public static bool BrokeUniqueKey(DbUpdateException e) =>
        e.InnerException is SqliteException { SqliteErrorCode: 19 } or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>Creates the schema (and fills it, in the same transaction) unless it is there; see each engine's for what a changed model does.</summary>
    public static Task EnsureSchemaAsync(this DbContext db, ILogger logger, Func<Task>? fill = null) =>
        db.Database.IsNpgsql() ? db.EnsurePostgresSchemaAsync(fill) : db.EnsureSqliteSchemaAsync(logger, fill);

    /// <summary>A stable number for the model's DDL, kept in SQLite's user_version or PostgreSQL's schema table.</summary>
    internal static int SchemaVersion(DbContext db) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(db.Database.GenerateCreateScript())), 0) & int.MaxValue;
}
