using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LgspHub.ServiceDefaults.Outbox;
using LgspHub.ServiceDefaults.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LgspHub.ServiceDefaults;

public static class AgencyDatabase
{
    /// <summary>The agency's own SQLite database (ConnectionStrings:database), checked by /health/ready.</summary>
    public static IHostApplicationBuilder AddAgencyDatabase<TDb>(this IHostApplicationBuilder builder, string agency)
        where TDb : AgencyDbContext
    {
        var connectionString = builder.Configuration.GetConnectionString("database")
            ?? $"Data Source={Path.Combine(AppContext.BaseDirectory, agency + ".db")}";

        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddDbContext<TDb>((services, options) => options
            .UseSqlite(connectionString)
            .AddInterceptors(services.GetRequiredService<OutboxSignal>()));
        builder.Services.AddHostedService<OutboxDispatcher<TDb>>();
        builder.Services.AddHealthChecks().AddDbContextCheck<TDb>("database");
        builder.Services.Configure<SeedOptions>(builder.Configuration.GetSection(SeedOptions.Section));
        return builder;
    }

    /// <summary>Creates the schema and seeds the synthetic province on first start, in one transaction.</summary>
    /// <param name="seed">This agency's rows of the province, enumerated once as they are written.</param>
    public static async Task InitializeDatabaseAsync<TDb, TRow>(this WebApplication app, Func<SyntheticProvince, IEnumerable<TRow>> seed)
        where TDb : AgencyDbContext
        where TRow : class
    {
        // Settings that leave the share of serials in doubt stop the host before it touches the database.
        var serials = (app.Configuration.GetSection(SerialOptions.Section).Get<SerialOptions>() ?? new SerialOptions()).Partition();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<SeedOptions>>().Value;
        await db.EnsureSeededAsync(options, seed, app.Logger, app.Lifetime.ApplicationStopping);
        await db.ClaimSerialPartitionAsync(serials, app.Lifetime.ApplicationStopping);
    }

    /// <summary>
    /// Creates the schema and writes the seed into it in one transaction, unless the database already has its
    /// tables. Returns the rows written, or null when there was nothing to do.
    /// </summary>
    public static async Task<long?> EnsureSeededAsync<TRow>(this DbContext db, SeedOptions options,
        Func<SyntheticProvince, IEnumerable<TRow>> seed, ILogger logger, CancellationToken cancellationToken = default)
        where TRow : class
    {
        long? written = null;
        await db.EnsureSqliteSchemaAsync(logger, () =>
        {
            var started = TimeProvider.System.GetTimestamp();
            written = SeedWriter.Insert(db, seed(new SyntheticProvince(options)), cancellationToken);
            logger.LogInformation("Seeded {Rows} {Table} rows from {Citizens} synthetic citizens (seed {Seed}) in {Elapsed}",
                written, typeof(TRow).Name, options.Citizens, options.Value, TimeProvider.System.GetElapsedTime(started));
            return Task.CompletedTask;
        });
        return written;
    }

    /// <summary>
    /// Creates the SQLite schema, filled by <paramref name="fill"/> in the same transaction: SQLite's DDL
    /// is transactional, so a crash part-way leaves no tables and the next start begins again. Without
    /// migrations a changed model cannot be applied in place, so a database of another schema version
    /// (kept in user_version) is set aside under a new name and created again; one whose outbox still holds
    /// events not yet published is refused instead, and the host does not start.
    /// </summary>
    public static async Task EnsureSqliteSchemaAsync(this DbContext db, ILogger logger, Func<Task>? fill = null)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        var schemaVersion = SchemaVersion(db);
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
    /// Its unpublished outbox events are refused rather than left behind in it, since nothing would ever send them.
    /// </summary>
    private static async Task SetAsideAsync(DbContext db, IRelationalDatabaseCreator creator, ILogger logger)
    {
        var name = db.GetType().Name;
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (await UnsentOutboxEventsAsync(db) is > 0 and var unsent)
        {
            throw new InvalidOperationException(
                $"The {name} schema changed since {file} was created, and its outbox still holds {unsent} event(s) not yet published. "
                + "Start the previous version until they are sent (its outbox empties once the broker takes them), "
                + "or move the file away to start afresh without them.");
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

    /// <summary>Outbox events neither sent nor set aside as unreadable, in a database of any earlier schema; 0 without an outbox.</summary>
    private static async Task<int> UnsentOutboxEventsAsync(DbContext db)
    {
        var outbox = db.Model.FindEntityType(typeof(OutboxMessage))?.GetTableName() ?? "Outbox";
        if (await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS Value FROM sqlite_master WHERE type = 'table' AND name = {0}", outbox).SingleAsync() == 0)
            return 0;
#pragma warning disable EF1002 // the table name is the model's own, not input
        try
        {
            return await db.Database.SqlQueryRaw<int>($"SELECT COUNT(*) AS Value FROM \"{outbox}\" WHERE \"SentAt\" IS NULL AND \"Error\" IS NULL").SingleAsync();
        }
        catch (SqliteException)
        {
            // A schema from before messages could be set aside.
            return await db.Database.SqlQueryRaw<int>($"SELECT COUNT(*) AS Value FROM \"{outbox}\" WHERE \"SentAt\" IS NULL").SingleAsync();
        }
#pragma warning restore EF1002
    }

    /// <summary>A stable number for the model's DDL, kept in SQLite's user_version.</summary>
    private static int SchemaVersion(DbContext db) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(db.Database.GenerateCreateScript())), 0) & int.MaxValue;
}
