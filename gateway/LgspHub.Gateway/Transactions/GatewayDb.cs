using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LgspHub.Gateway.Transactions;

/// <summary>The gateway's own SQLite database: transaction records and the personal-data audit.</summary>
public sealed class GatewayDb(DbContextOptions<GatewayDb> options) : DbContext(options)
{
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
            audit.HasKey(a => a.TransactionId);
            audit.HasIndex(a => new { a.SubjectHash, a.At });
            audit.HasIndex(a => a.At);
        });
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

    /// <summary>Base64 key of the subject hash (HMAC-SHA256 of the personal ID). Keep it secret and stable.</summary>
    public string? SubjectKey { get; set; }
}
