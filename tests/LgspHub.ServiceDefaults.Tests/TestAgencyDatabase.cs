using LgspHub.AgencyDefaults;
using LgspHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>
/// A throwaway agency database with what every agency's schema shares (outbox, lease, serials), in a folder
/// of its own; several contexts, or several hosts, open the same file as instances of an agency do.
/// </summary>
public sealed class TestAgencyDatabase : IAsyncLifetime
{
    public sealed class Db(DbContextOptions<Db> options) : AgencyDbContext(options);

    private readonly string _folder = Directory.CreateTempSubdirectory("lgsp-agency-").FullName;

    public string Connection => $"Data Source={Path.Combine(_folder, "agency.db")};Pooling=false";

    public Db Open() => new(new DbContextOptionsBuilder<Db>().UseSqlite(Connection).Options);

    public async Task InitializeAsync()
    {
        await using var db = Open();
        await db.EnsureSqliteSchemaAsync(NullLogger.Instance);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
