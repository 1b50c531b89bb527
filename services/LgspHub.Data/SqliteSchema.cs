using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace LgspHub.Data;

/// <summary>A database that may hold work not done yet (an agency's outbox), which replacing it would lose.</summary>
public interface IHoldsPendingWork
{
    /// <summary>What is pending, said for an operator ("3 outbox event(s) not yet published"), or null when nothing is.</summary>
    Task<string?> PendingWorkAsync();
}

public static class SqliteSchema
{
    /// <summary>
    /// Creates the SQLite schema, filled by <paramref name="fill"/> in the same transaction: SQLite's DDL
    /// is transactional, so a crash part-way leaves no tables and the next start begins again. Without
    /// migrations a changed model cannot be applied in place, so a database of another schema version
    /// (kept in user_version) is set aside under a new name and created again; one that still holds work not
    /// done (an agency's outbox events not yet published) is refused instead, and the host does not start.
    /// </summary>
    public static async Task EnsureSqliteSchemaAsync(this DbContext db, ILogger logger, Func<Task>? fill = null)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        var schemaVersion = DatabaseStore.SchemaVersion(db);
        if (await creator.ExistsAsync() && await creator.HasTablesAsync()
            && await db.Database.SqlQueryRaw<int>("SELECT user_version AS Value FROM pragma_user_version").SingleAsync() != schemaVersion)
            await SetAsideAsync(db, creator, logger);
        if (!await creator.ExistsAsync())
            await creator.CreateAsync();
        // WAL lets readers go on while a consumer writes.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        if (await creator.HasTablesAsync())
            return;

        await using var transaction = await db.Database.BeginTransactionAsync();
        await creator.CreateTablesAsync();
        // PRAGMA takes no parameters; the values are numbers computed here or SQLite's own, not input.
#pragma warning disable EF1003
        await db.Database.ExecuteSqlRawAsync("PRAGMA user_version = " + schemaVersion.ToString(CultureInfo.InvariantCulture));
        if (fill is null)
        {
            await transaction.CommitAsync();
            return;
        }

        // A full province's indexes outgrow SQLite's default 2 MB page cache, and rows arriving out of key order
        // then send pages to disk and back: up to 256 MB (taken only as needed) seeds about 1.5x faster. Set on the
        // transaction's connection, and restored before it goes back to the pool.
        var cacheSize = await db.Database.SqlQueryRaw<int>("SELECT cache_size AS Value FROM pragma_cache_size").SingleAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size = -262144");
        try
        {
            await fill();
            await transaction.CommitAsync();
            // The seed went through the WAL, which SQLite keeps at its largest size: a full province would leave a
            // WAL as large as the database beside it.
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size = " + cacheSize.ToString(CultureInfo.InvariantCulture));
        }
#pragma warning restore EF1003
    }

    /// <summary>
    /// Moves a database of an older schema out of the way, keeping it: renamed with the time, beside the new one.
    /// One that still holds work not done (<see cref="IHoldsPendingWork"/>) is refused rather than left behind, since nothing would ever do it.
    /// </summary>
    private static async Task SetAsideAsync(DbContext db, IRelationalDatabaseCreator creator, ILogger logger)
    {
        var name = db.GetType().Name;
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (db is IHoldsPendingWork holder && await holder.PendingWorkAsync() is { } pending)
        {
            throw new InvalidOperationException(
                $"The {name} schema changed since {file} was created, and it still holds {pending}. "
                + "Start the previous version until that is done, or move the file away to start afresh without it.");
        }
        if (string.IsNullOrEmpty(file) || file == ":memory:" || !File.Exists(file))
        {
            await creator.DeleteAsync();
            return;
        }

        // Everything in the main file, and no pooled connection left on it: the next ones open the new database.
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        await db.Database.CloseConnectionAsync();
        SqliteConnection.ClearAllPools();
        var kept = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!,
            $"{Path.GetFileNameWithoutExtension(file)}.replaced-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}{Path.GetExtension(file)}");
        foreach (var suffix in (string[])["", "-wal", "-shm"])
        {
            if (File.Exists(file + suffix))
                File.Move(file + suffix, kept + suffix);
        }
        logger.LogWarning("The {Database} schema changed since it was created: the old database is kept as {Kept}, and a new one is created", name, kept);
    }
}
