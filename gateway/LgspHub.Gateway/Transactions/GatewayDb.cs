using System.Data.Common;
using LgspHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LgspHub.Gateway.Transactions;

/// <summary>
/// The gateway's own database: transaction records, the audit, and the consumers registered through the API
/// (Access/RegisteredConsumers.cs). A SQLite file, one gateway's; or a PostgreSQL database, shared by the hub's gateways.
/// </summary>
public sealed class GatewayDb(DbContextOptions<GatewayDb> options) : DbContext(options)
{
    /// <summary>ConnectionStrings:database, or gateway.db beside the program.</summary>
    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("database") ?? $"Data Source={Path.Combine(AppContext.BaseDirectory, "gateway.db")}";

    /// <summary>The engine the connection string names (<see cref="DatabaseStore"/>), with <see cref="Durability"/> on SQLite.</summary>
    public static DbContextOptionsBuilder UseStore(DbContextOptionsBuilder options, IConfiguration configuration)
    {
        var connectionString = ConnectionString(configuration);
        options.UseStore(connectionString);
        return DatabaseStore.IsPostgres(connectionString) ? options : options.AddInterceptors(Durability);
    }

    /// <summary>
    /// Commits reach the write-ahead log at once but are synced to disk at checkpoints (SQLite's synchronous=NORMAL in
    /// WAL mode): what was committed survives the gateway being killed, and only an operating-system crash or a power
    /// cut can lose the last moments. With a sync per commit and no group window, personal-data reads (each answer waits
    /// for its audit entry's commit) ran at 0.83x the previous build in `./lgsp bench compare`; with both, at 1.02x.
    /// </summary>
    public static readonly IInterceptor Durability = new SynchronousNormal();

    public DbSet<TransactionRecord> Transactions => Set<TransactionRecord>();

    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        // SQLite cannot compare DateTimeOffset; as sortable numbers, time ranges become index lookups.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<TransactionRecord>(record =>
        {
            record.HasIndex(r => r.RequestInAt);
            record.HasIndex(r => new { r.Consumer, r.RequestInAt });
            record.HasIndex(r => new { r.Service, r.RequestInAt });
        });
        modelBuilder.Entity<AuditEntry>(audit =>
        {
            audit.HasKey(a => a.Sequence);
            audit.Property(a => a.Sequence).ValueGeneratedNever();
            audit.HasIndex(a => a.TransactionId);
            audit.HasIndex(a => new { a.SubjectHash, a.At });
            audit.HasIndex(a => a.At);
        });
        // The tables of the gateway's other features, each configured where it is used (Access: the registered consumers),
        // so that the records do not depend on them.
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GatewayDb).Assembly);
    }
}

/// <summary>Section "Lgsp:Records": where and how long transaction records and the audit are kept.</summary>
public sealed class RecordOptions
{
    public const string Section = "Lgsp:Records";

    public TimeSpan TransactionRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Evidence of personal-data access is kept longer than operational records.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(730);

    /// <summary>Records waiting to be written; past this, new ones are dropped and counted, never waited for.</summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Audit appends waiting to be written; past this, personal-data requests are refused (503) until the writer catches up.</summary>
    public int AuditQueueCapacity { get; set; } = 10_000;

    /// <summary>Transaction records kept at most, whatever their age: the oldest go first (the audit is not capped).</summary>
    public int MaxTransactionRecords { get; set; } = 10_000_000;

    /// <summary>Below this much free disk beside the database, transaction records are counted, not stored, so the audit keeps its room.</summary>
    public long MinFreeDiskMegabytes { get; set; } = 256;

    /// <summary>How long the gateway stays unready after records were dropped or a write failed.</summary>
    public TimeSpan UnreadyAfterTrouble { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Base64 key of the subject hash (HMAC-SHA256 of the personal ID). Keep it secret and stable.</summary>
    public string? SubjectKey { get; set; }
}

internal sealed class SynchronousNormal : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = NORMAL";
        command.ExecuteNonQuery();
    }
}
