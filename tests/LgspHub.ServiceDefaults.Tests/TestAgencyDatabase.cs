using LgspHub.AgencyDefaults;
using LgspHub.Data;
using LgspHub.LocalHub;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>
/// A throwaway agency database with what every agency's schema shares (outbox, lease, serials): a SQLite file in a
/// folder of its own, or a database of its own on the run's PostgreSQL server. Several contexts, or several hosts,
/// open the same one as instances of an agency do.
/// </summary>
/// <param name="server">A PostgreSQL server of the caller's own, in place of the run's.</param>
public sealed class TestAgencyDatabase(Engine engine = Engine.Sqlite, Lazy<Task<PostgresCluster>>? server = null) : IAsyncLifetime
{
    public sealed class Db(DbContextOptions<Db> options) : AgencyDbContext(options);

    private readonly string? _folder = engine == Engine.Sqlite ? Directory.CreateTempSubdirectory("lgsp-agency-").FullName : null;

    public string Connection { get; private set; } = "";

    public Db Open() => new(new DbContextOptionsBuilder<Db>().UseStore(Connection).Options);

    public async Task InitializeAsync()
    {
        Connection = _folder is not null
            ? $"Data Source={Path.Combine(_folder, "agency.db")};Pooling=false"
            : await PostgresServer.NewDatabaseAsync(server is null ? null : await server.Value);
        await using var db = Open();
        await db.EnsureSchemaAsync(NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        if (_folder is not null)
            Directory.Delete(_folder, recursive: true);
        else
            await PostgresServer.DropDatabaseAsync(Connection);
    }
}
