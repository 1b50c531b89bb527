using LgspHub.Contracts;
using LgspHub.Data;
using LgspHub.Messaging.Outbox;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>An agency database of an older schema: never deleted, and never left behind with events still to publish.</summary>
public sealed class SchemaChangeTests : IAsyncLifetime
{
    private readonly TestAgencyDatabase _database = new();

    private string File => new SqliteConnectionStringBuilder(_database.Connection).DataSource;

    private string Folder => Path.GetDirectoryName(File)!;

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    /// <summary>Writes one outbox event, sent or not, and marks the database as made by another schema.</summary>
    private async Task AgeAsync(bool sent)
    {
        await using var db = _database.Open();
        var message = OutboxMessage.For(new DossierRejected(Guid.NewGuid(), "population", "parents-verification", "test"), DateTimeOffset.UtcNow);
        message.SentAt = sent ? DateTimeOffset.UtcNow : null;
        db.Outbox.Add(message);
        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA user_version = 1");
    }

    private async Task<int> SchemaVersionAsync()
    {
        await using var db = _database.Open();
        return await db.Database.SqlQueryRaw<int>("SELECT user_version AS Value FROM pragma_user_version").SingleAsync();
    }

    [Fact]
    public async Task A_changed_schema_whose_outbox_still_holds_unsent_events_refuses_to_start_and_keeps_them()
    {
        await AgeAsync(sent: false);

        await using var db = _database.Open();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => db.EnsureSqliteSchemaAsync(NullLogger.Instance));

        Assert.Contains("1 event(s) not yet published", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, await SchemaVersionAsync());
        await using var check = _database.Open();
        Assert.Equal(1, await check.Outbox.CountAsync(m => m.SentAt == null));
    }

    [Fact]
    public async Task A_changed_schema_with_its_outbox_sent_is_kept_under_a_new_name_and_a_new_database_created()
    {
        await AgeAsync(sent: true);

        await using (var db = _database.Open())
            await db.EnsureSqliteSchemaAsync(NullLogger.Instance);

        Assert.NotEqual(1, await SchemaVersionAsync());
        await using (var fresh = _database.Open())
            Assert.Equal(0, await fresh.Outbox.CountAsync());
        var kept = Assert.Single(Directory.GetFiles(Folder, "agency.replaced-*.db"));
        await using var old = new TestAgencyDatabase.Db(new DbContextOptionsBuilder<TestAgencyDatabase.Db>().UseSqlite($"Data Source={kept};Pooling=false").Options);
        Assert.Equal(1, await old.Outbox.CountAsync(m => m.SentAt != null));
    }
}
