using LgspHub.AgencyDefaults;
using LgspHub.Contracts;
using LgspHub.Data;
using LgspHub.Seeding;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>The bulk seeding path: one prepared INSERT inside the schema's transaction.</summary>
public sealed class SeedWriterTests : IDisposable
{
    private static readonly SeedOptions Options = new() { Value = 11, Citizens = 2_000 };
    private readonly string _folder = Directory.CreateTempSubdirectory("lgsp-seed-").FullName;

    public sealed class Person
    {
        public PersonalId PersonalId { get; set; }
        public required string FullName { get; set; }
        public DateOnly DateOfBirth { get; set; }
        public Sex Sex { get; set; }
        public DateOnly? DateOfDeath { get; set; }
        public DateTimeOffset? ChangedAt { get; set; }
        public Guid? DossierId { get; set; }
        public int Version { get; set; }
    }

    public sealed class PeopleDb(DbContextOptions<PeopleDb> options) : AgencyDbContext(options)
    {
        public DbSet<Person> People => Set<Person>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            base.OnModelCreating(modelBuilder);
            modelBuilder.Entity<Person>(person =>
            {
                person.HasKey(p => p.PersonalId);
                person.HasIndex(p => p.DossierId).IsUnique();
            });
        }
    }

    // Every kind of value the agencies store: converted IDs, dates, enums, nulls, times as numbers, GUIDs.
    private static IEnumerable<Person> People(SyntheticProvince province) => province.Citizens().Select(c => new Person
    {
        PersonalId = c.PersonalId,
        FullName = c.FullName,
        DateOfBirth = c.DateOfBirth,
        Sex = c.Sex,
        DateOfDeath = c.DateOfDeath,
        ChangedAt = c.Index % 7 == 0 ? new DateTimeOffset(2025, 6, 1, 8, 30, 0, TimeSpan.FromHours(7)).AddMinutes(c.Index) : null,
        DossierId = c.Index % 5 == 0 ? new Guid(c.Index, 1, 2, [3, 4, 5, 6, 7, 8, 9, 10]) : null,
        Version = c.Index % 3,
    });

    [Fact]
    public async Task Seeded_rows_are_stored_exactly_as_EF_Core_stores_them()
    {
        await using (var bulk = NewDb("bulk.db"))
            Assert.Equal(Options.Citizens, await bulk.EnsureSeededAsync(Options, People, NullLogger.Instance));
        await using (var tracked = NewDb("tracked.db"))
        {
            await tracked.EnsureSqliteSchemaAsync(NullLogger.Instance);
            tracked.People.AddRange(People(new SyntheticProvince(Options)));
            await tracked.SaveChangesAsync();
        }

        var stored = StoredRows("bulk.db");
        Assert.Equal(Options.Citizens, stored.Count);
        Assert.Equal(StoredRows("tracked.db"), stored);
        await using var db = NewDb("bulk.db");
        var expected = People(new SyntheticProvince(Options)).OrderBy(p => p.PersonalId.Value, StringComparer.Ordinal).Select(Describe);
        var read = (await db.People.AsNoTracking().ToListAsync()).OrderBy(p => p.PersonalId.Value, StringComparer.Ordinal).Select(Describe);
        Assert.Equal(expected, read);
    }

    /// <summary>On PostgreSQL the seed goes in with COPY: every kind of value reads back through EF as it was written.</summary>
    [Fact]
    public async Task Seeded_rows_copied_into_postgres_read_back_through_EF_Core_unchanged()
    {
        var connection = await PostgresServer.NewDatabaseAsync();
        try
        {
            await using (var bulk = new PeopleDb(new DbContextOptionsBuilder<PeopleDb>().UseStore(connection).Options))
                Assert.Equal(Options.Citizens, await bulk.EnsureSeededAsync(Options, People, NullLogger.Instance));
            await using var db = new PeopleDb(new DbContextOptionsBuilder<PeopleDb>().UseStore(connection).Options);
            var expected = People(new SyntheticProvince(Options)).OrderBy(p => p.PersonalId.Value, StringComparer.Ordinal).Select(Describe);
            var read = (await db.People.AsNoTracking().ToListAsync()).OrderBy(p => p.PersonalId.Value, StringComparer.Ordinal).Select(Describe);
            Assert.Equal(expected, read);
            Assert.Null(await db.EnsureSeededAsync(Options, People, NullLogger.Instance));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connection);
        }
    }

    [Fact]
    public async Task A_seed_that_fails_part_way_leaves_no_tables_and_the_next_start_seeds_in_full()
    {
        static IEnumerable<Person> FailingAfter1000(SyntheticProvince province) =>
            People(province).Select((person, i) => i < 1_000 ? person : throw new IOException("the machine went down"));

        await using (var db = NewDb("agency.db"))
            await Assert.ThrowsAsync<IOException>(() => db.EnsureSeededAsync(Options, FailingAfter1000, NullLogger.Instance));
        Assert.Equal(0L, Scalar("agency.db", "SELECT count(*) FROM sqlite_master WHERE type = 'table'"));

        await using (var db = NewDb("agency.db"))
            Assert.Equal(Options.Citizens, await db.EnsureSeededAsync(Options, People, NullLogger.Instance));
        Assert.Equal((long)Options.Citizens, Scalar("agency.db", "SELECT count(*) FROM People"));
    }

    [Fact]
    public async Task A_database_that_has_its_tables_is_not_seeded_again()
    {
        await using (var db = NewDb("agency.db"))
            await db.EnsureSeededAsync(Options, People, NullLogger.Instance);
        await using (var db = NewDb("agency.db"))
            Assert.Null(await db.EnsureSeededAsync(Options, People, NullLogger.Instance));

        Assert.Equal((long)Options.Citizens, Scalar("agency.db", "SELECT count(*) FROM People"));
    }

    [Fact]
    public async Task A_seeded_database_keeps_neither_a_write_ahead_log_as_large_as_itself_nor_the_seeds_page_cache()
    {
        // Pooled, as the agencies run: the connection stays open, so SQLite does not remove the WAL on close.
        var file = Path.Combine(_folder, "agency.db");
        await using (var db = new PeopleDb(new DbContextOptionsBuilder<PeopleDb>().UseSqlite($"Data Source={file}").Options))
            await db.EnsureSeededAsync(Options, People, NullLogger.Instance);

        var wal = new FileInfo(file + "-wal");
        var walBytes = wal.Exists ? wal.Length : 0;
        int cacheSize;
        await using (var db = new PeopleDb(new DbContextOptionsBuilder<PeopleDb>().UseSqlite($"Data Source={file}").Options))
            cacheSize = await db.Database.SqlQueryRaw<int>("SELECT cache_size AS Value FROM pragma_cache_size").SingleAsync();
        SqliteConnection.ClearAllPools();

        Assert.Equal(0, walBytes);
        Assert.True(new FileInfo(file).Length > 100_000);
        // The seed's larger page cache did not stay with the pooled connection: SQLite's default, 2,000 KiB.
        Assert.Equal(-2_000, cacheSize);
    }

    [Fact]
    public async Task Rows_are_written_only_inside_the_schemas_transaction()
    {
        await using var db = NewDb("agency.db");
        await db.EnsureSqliteSchemaAsync(NullLogger.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => SeedWriter.WriteAsync(db, People(new SyntheticProvince(Options))));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private PeopleDb NewDb(string file) =>
        new(new DbContextOptionsBuilder<PeopleDb>().UseSqlite(ConnectionString(file)).Options);

    private string ConnectionString(string file) => $"Data Source={Path.Combine(_folder, file)};Pooling=false";

    /// <summary>Each row's columns as SQLite holds them (integer, text, real, blob or null), in key order.</summary>
    private List<string> StoredRows(string file)
    {
        using var connection = new SqliteConnection(ConnectionString(file));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM People ORDER BY PersonalId";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount)
                .Select(i => $"{reader.GetDataTypeName(i)}:{reader.GetFieldType(i).Name}:{Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)}")));
        return rows;
    }

    private long Scalar(string file, string sql)
    {
        using var connection = new SqliteConnection(ConnectionString(file));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static string Describe(Person p) =>
        $"{p.PersonalId}|{p.FullName}|{p.DateOfBirth:O}|{p.Sex}|{p.DateOfDeath:O}|{p.ChangedAt:O}|{p.DossierId}|{p.Version}";
}
