using LgspHub.Data;
using LgspHub.Messaging.Outbox;
using LgspHub.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LgspHub.AgencyDefaults;

public static class AgencyDatabase
{
    /// <summary>
    /// The agency's own database, checked by /health/ready: ConnectionStrings:database names a SQLite file or a
    /// PostgreSQL server (<see cref="DatabaseStore"/>); without one, a SQLite file beside the build.
    /// </summary>
    public static IHostApplicationBuilder AddAgencyDatabase<TDb>(this IHostApplicationBuilder builder, string agency)
        where TDb : AgencyDbContext
    {
        var connectionString = builder.Configuration.GetConnectionString("database")
            ?? $"Data Source={Path.Combine(AppContext.BaseDirectory, agency + ".db")}";

        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddDbContext<TDb>((services, options) => options
            .UseStore(connectionString)
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
        await db.EnsureSchemaAsync(logger, async () =>
        {
            var started = TimeProvider.System.GetTimestamp();
            written = await SeedWriter.WriteAsync(db, seed(new SyntheticProvince(options)), cancellationToken);
            logger.LogInformation("Seeded {Rows} {Table} rows from {Citizens} synthetic citizens (seed {Seed}) in {Elapsed}",
                written, typeof(TRow).Name, options.Citizens, options.Value, TimeProvider.System.GetElapsedTime(started));
        });
        return written;
    }
}
