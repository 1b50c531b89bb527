using LgspHub.Contracts;
using LgspHub.Data;
using LgspHub.Messaging.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LgspHub.AgencyDefaults;

/// <summary>
/// What every agency's database shares: personal IDs stored as their 12 digits, times as sortable
/// numbers (SQLite cannot order DateTimeOffset), and the transactional outbox.
/// </summary>
public abstract class AgencyDbContext(DbContextOptions options) : DbContext(options), IHasOutbox, IHoldsPendingWork
{
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<SerialCounter> Serials => Set<SerialCounter>();

    public DbSet<OutboxLease> OutboxLeases => Set<OutboxLease>();

    public DbSet<SerialPartition> SerialPartitions => Set<SerialPartition>();

    /// <summary>Queues an integration event; it is published only if this unit of work commits.</summary>
    public void PublishOnCommit<T>(T message) where T : class => Outbox.Add(OutboxMessage.For(message, TimeProvider.System.GetUtcNow()));

    /// <summary>
    /// The next free serial under a prefix (a personal ID's first six digits, a register's book), in this database's
    /// share (<see cref="SerialPartition"/>). Seeded numbers were not counted, so taken ones are skipped.
    /// </summary>
    public async Task<int> NextSerialAsync(string prefix, Func<int, Task<bool>> isTaken, CancellationToken cancellationToken)
    {
        var share = await SerialPartitions.AsNoTracking().SingleOrDefaultAsync(cancellationToken) ?? SerialPartition.Whole;
        int serial;
        do
            serial = share.Serial(await ReserveSerialAsync(prefix, cancellationToken));
        while (await isTaken(serial));
        return serial;
    }

    /// <summary>
    /// Records the share of serials this database draws, on its first start; later starts must name the same one.
    /// Instances sharing the database draw from its one counter, so they must not be split; and numbers an instance
    /// drew in one share would be drawn again by another in a new one.
    /// </summary>
    public async Task ClaimSerialPartitionAsync(SerialPartition configured, CancellationToken cancellationToken)
    {
        var stored = await SerialPartitions.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            SerialPartitions.Add(new SerialPartition { Instance = configured.Instance, Instances = configured.Instances });
            try
            {
                await SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException)
            {
                // Another instance on this database recorded it first.
                ChangeTracker.Clear();
                stored = await SerialPartitions.AsNoTracking().SingleAsync(cancellationToken);
            }
        }
        if (!stored.SameShare(configured))
            throw new InvalidOperationException(
                $"This database draws serials as {stored}, but this host is configured as {configured} ({SerialOptions.Section}). Instances that share "
                + "a database draw from one counter and take no share; an instance with a database of its own keeps the share it started with.");
    }

    /// <summary>
    /// One statement that counts and answers, committed at once, the same on SQLite and PostgreSQL (which needs the
    /// table named in the update): concurrent consumers, and instances sharing the database, never draw the same number (read, add one and save let two births take one ID, and the
    /// loser's retries could run out in a wave). A number whose unit of work fails stays unused, a gap as
    /// real registers have.
    /// </summary>
    private async Task<int> ReserveSerialAsync(string prefix, CancellationToken cancellationToken)
    {
        var reserved = await Database.SqlQuery<int>($"""
            INSERT INTO "Serials" ("Prefix", "Last") VALUES ({prefix}, 1)
            ON CONFLICT ("Prefix") DO UPDATE SET "Last" = "Serials"."Last" + 1
            RETURNING "Last" AS "Value"
            """).ToListAsync(cancellationToken);
        return reserved.Single();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<PersonalId>().HaveConversion<PersonalIdConverter>().HaveMaxLength(PersonalId.Length);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    /// <summary>Outbox events neither sent nor set aside as unreadable, in a database of any earlier schema; null when there are none.</summary>
    public async Task<string?> PendingWorkAsync()
    {
        var outbox = Model.FindEntityType(typeof(OutboxMessage))?.GetTableName() ?? "Outbox";
        if (await Database.SqlQueryRaw<int>("SELECT COUNT(*) AS Value FROM sqlite_master WHERE type = 'table' AND name = {0}", outbox).SingleAsync() == 0)
            return null;
#pragma warning disable EF1002 // the table name is the model's own, not input
        int unsent;
        try
        {
            unsent = await Database.SqlQueryRaw<int>($"SELECT COUNT(*) AS Value FROM \"{outbox}\" WHERE \"SentAt\" IS NULL AND \"Error\" IS NULL").SingleAsync();
        }
        catch (SqliteException)
        {
            // A schema from before messages could be set aside.
            unsent = await Database.SqlQueryRaw<int>($"SELECT COUNT(*) AS Value FROM \"{outbox}\" WHERE \"SentAt\" IS NULL").SingleAsync();
        }
        return unsent > 0 ? $"{unsent} event(s) not yet published in its outbox (it empties once the broker takes them)" : null;
#pragma warning restore EF1002
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
        modelBuilder.Entity<SerialPartition>().Property(p => p.Id).ValueGeneratedNever();
    }

    private sealed class PersonalIdConverter() : ValueConverter<PersonalId, string>(id => id.Value, value => PersonalId.Parse(value, null));
}

public sealed class SerialCounter
{
    public required string Prefix { get; set; }
    public int Last { get; set; }
}
