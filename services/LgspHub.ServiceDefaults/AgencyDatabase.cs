using LgspHub.ServiceDefaults.Outbox;
using LgspHub.ServiceDefaults.Seeding;
using Microsoft.AspNetCore.Builder;
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

    /// <summary>
    /// Creates the schema and seeds the synthetic province on first start. SQLite's DDL is
    /// transactional, so tables and seed data commit together: a crash part-way leaves no tables,
    /// and the next start seeds again instead of serving half a province.
    /// </summary>
    public static async Task InitializeDatabaseAsync<TDb>(this WebApplication app, Action<TDb, SyntheticProvince> seed)
        where TDb : AgencyDbContext
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync())
            await creator.CreateAsync();
        // WAL lets readers go on while a consumer writes.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        if (await creator.HasTablesAsync())
            return;

        var options = scope.ServiceProvider.GetRequiredService<IOptions<SeedOptions>>().Value;
        var started = TimeProvider.System.GetTimestamp();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await creator.CreateTablesAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            seed(db, new SyntheticProvince(options));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        db.ChangeTracker.Clear();

        app.Logger.LogInformation("Seeded {Citizens} synthetic citizens (seed {Seed}) in {Elapsed}",
            options.Citizens, options.Value, TimeProvider.System.GetElapsedTime(started));
    }
}
