using LgspHub.Contracts;
using LgspHub.ServiceDefaults.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LgspHub.ServiceDefaults;

/// <summary>
/// What every agency's database shares: personal IDs stored as their 12 digits, times as sortable
/// numbers (SQLite cannot order DateTimeOffset), and the transactional outbox.
/// </summary>
public abstract class AgencyDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<SerialCounter> Serials => Set<SerialCounter>();

    public DbSet<OutboxLease> OutboxLeases => Set<OutboxLease>();

    /// <summary>Queues an integration event; it is published only if this unit of work commits.</summary>
    public void PublishOnCommit<T>(T message) where T : class => Outbox.Add(OutboxMessage.For(message, TimeProvider.System.GetUtcNow()));

    /// <summary>
    /// The next free serial under a prefix (a personal ID's first six digits, a register's book).
    /// Seeded numbers were not counted, so taken ones are skipped.
    /// </summary>
    public async Task<int> NextSerialAsync(string prefix, Func<int, Task<bool>> isTaken, CancellationToken cancellationToken)
    {
        int serial;
        do
            serial = await ReserveSerialAsync(prefix, cancellationToken);
        while (await isTaken(serial));
        return serial;
    }

    /// <summary>
    /// One statement that counts and answers, committed at once: concurrent consumers, and instances sharing
    /// the database, never draw the same number (read, add one and save let two births take one ID, and the
    /// loser's retries could run out in a wave). A number whose unit of work fails stays unused, a gap as
    /// real registers have.
    /// </summary>
    private async Task<int> ReserveSerialAsync(string prefix, CancellationToken cancellationToken)
    {
        var reserved = await Database.SqlQuery<int>($"""
            INSERT INTO "Serials" ("Prefix", "Last") VALUES ({prefix}, 1)
            ON CONFLICT ("Prefix") DO UPDATE SET "Last" = "Last" + 1
            RETURNING "Last" AS "Value"
            """).ToListAsync(cancellationToken);
        return reserved.Single();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<PersonalId>().HaveConversion<PersonalIdConverter>().HaveMaxLength(PersonalId.Length);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.HasKey(m => m.Sequence);
            outbox.HasIndex(m => m.MessageId).IsUnique();
            outbox.HasIndex(m => m.SentAt);
        });
        modelBuilder.Entity<SerialCounter>().HasKey(c => c.Prefix);
        modelBuilder.Entity<OutboxLease>().Property(l => l.Id).ValueGeneratedNever();
    }

    private sealed class PersonalIdConverter() : ValueConverter<PersonalId, string>(id => id.Value, value => PersonalId.Parse(value, null));
}

public sealed class SerialCounter
{
    public required string Prefix { get; set; }
    public int Last { get; set; }
}
