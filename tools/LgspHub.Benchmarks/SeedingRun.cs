using System.Diagnostics;
using LgspHub.AgencyDefaults;
using LgspHub.CivilStatus;
using LgspHub.Data;
using LgspHub.HealthInsurance;
using LgspHub.Land;
using LgspHub.Population;
using LgspHub.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.Benchmarks;

/// <summary>One seeding of one agency's database: what it wrote, how long it took, what it allocated, how large the file.</summary>
public sealed record SeedResult(long Rows, TimeSpan Elapsed, long AllocatedBytes, long FileBytes)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
}

/// <summary>
/// Seeds agencies' databases in this process, through the code the agencies run on first start
/// (<see cref="AgencyDatabase.EnsureSeededAsync{TRow}"/>), each time into a fresh file.
/// </summary>
public sealed class SeedingRun(string folder)
{

    /// <summary>An agency's seed, three ways: the bulk path, EF Core's change tracking (the path before it), generation alone.</summary>
    public sealed record Agency(
        string Name,
        string Table,
        Func<string, DbContext> NewDb,
        Func<DbContext, SeedOptions, Task<long>> Bulk,
        Func<DbContext, SeedOptions, Task<long>> Tracked,
        Func<SeedOptions, long> GenerateOnly);

    public static Agency For(string name) => name switch
    {
        "population" => Describe<PopulationDb, Citizen>(name, o => new PopulationDb(o), PopulationDb.Seed),
        "civil-status" => Describe<CivilStatusDb, Registration>(name, o => new CivilStatusDb(o), CivilStatusDb.Seed),
        "land" => Describe<LandDb, Parcel>(name, o => new LandDb(o), LandDb.Seed),
        "health-insurance" => Describe<HealthInsuranceDb, Card>(name, o => new HealthInsuranceDb(o), HealthInsuranceDb.Seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not an agency"),
    };

    private static Agency Describe<TDb, TRow>(string name, Func<DbContextOptions<TDb>, TDb> create, Func<SyntheticProvince, IEnumerable<TRow>> seed)
        where TDb : DbContext
        where TRow : class => new(
            name,
            typeof(TRow).Name,
            connection => create(new DbContextOptionsBuilder<TDb>().UseSqlite(connection).Options),
            async (db, options) => await db.EnsureSeededAsync(options, seed, NullLogger.Instance)
                ?? throw new InvalidOperationException($"{name}: the database was not fresh"),
            async (db, options) =>
            {
                // As AgencyDatabase seeded before the bulk path: every row tracked, then one SaveChanges.
                long rows = 0;
                await db.EnsureSqliteSchemaAsync(NullLogger.Instance, async () =>
                {
                    db.ChangeTracker.AutoDetectChangesEnabled = false;
                    foreach (var row in seed(new SyntheticProvince(options)))
                    {
                        db.Add(row);
                        rows++;
                    }
                    await db.SaveChangesAsync();
                    db.ChangeTracker.Clear();
                });
                return rows;
            },
            options => seed(new SyntheticProvince(options)).LongCount());

    /// <summary>Seeds a fresh database of <paramref name="agency"/> one way, then deletes it.</summary>
    public async Task<SeedResult> SeedAsync(Agency agency, int citizens, bool tracked)
    {
        var file = Path.Combine(folder, $"{agency.Name}-{Guid.NewGuid():N}.db");
        try
        {
            // Pooling off: the file is closed (and its WAL checkpointed) when the context is disposed.
            var options = new SeedOptions { Citizens = citizens };
            var (rows, elapsed, allocated) = await MeasureAsync(async () =>
            {
                await using var db = agency.NewDb($"Data Source={file};Pooling=false");
                return await (tracked ? agency.Tracked : agency.Bulk)(db, options);
            });
            return new SeedResult(rows, elapsed, allocated, new FileInfo(file).Length);
        }
        finally
        {
            foreach (var leftover in Directory.EnumerateFiles(folder, Path.GetFileName(file) + "*"))
                File.Delete(leftover);
        }
    }

    /// <summary>The same rows generated and counted, written nowhere.</summary>
    public static async Task<SeedResult> GenerateAsync(Agency agency, int citizens)
    {
        var (rows, elapsed, allocated) = await MeasureAsync(() => Task.FromResult(agency.GenerateOnly(new SeedOptions { Citizens = citizens })));
        return new SeedResult(rows, elapsed, allocated, 0);
    }

    private static async Task<(long Rows, TimeSpan Elapsed, long Allocated)> MeasureAsync(Func<Task<long>> run)
    {
        // Each measurement starts from a collected heap, so one run's garbage is not collected on the next one's time.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var rows = await run();
        var elapsed = Stopwatch.GetElapsedTime(started);
        return (rows, elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
    }
}
