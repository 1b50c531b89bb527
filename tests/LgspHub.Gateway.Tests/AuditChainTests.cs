using LgspHub.Contracts;
using LgspHub.Gateway.Transactions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Gateway.Tests;

public sealed class AuditChainTests : IAsyncLifetime, IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private GatewayDb _db = null!;

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        _db = new GatewayDb(new DbContextOptionsBuilder<GatewayDb>().UseSqlite(_connection).Options);
        await _db.Database.EnsureCreatedAsync();
        var entries = Enumerable.Range(0, 5).Select(i => Entry(i)).ToList();
        AuditChain.Link(entries, (0, AuditChain.Genesis));
        _db.Audit.AddRange(entries);
        await _db.SaveChangesAsync();
        _db.ChangeTracker.Clear();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _db.Dispose();
        _connection.Dispose();
    }

    [Fact]
    public async Task An_untouched_chain_verifies()
    {
        var result = await AuditChain.VerifyAsync(_db);

        Assert.True(result.Intact, result.Message);
        Assert.Equal(5, result.Verified);
        Assert.Equal((5, (await _db.Audit.SingleAsync(a => a.Sequence == 5)).Hash), await AuditChain.HeadAsync(_db));
    }

    [Fact]
    public async Task An_altered_entry_is_named()
    {
        await _db.Database.ExecuteSqlRawAsync("UPDATE Audit SET Purpose = 'other' WHERE Sequence = 3");

        var result = await AuditChain.VerifyAsync(_db);

        Assert.False(result.Intact);
        Assert.Equal(3, result.Entry);
        Assert.Contains("altered", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_entry_is_named()
    {
        await _db.Database.ExecuteSqlRawAsync("DELETE FROM Audit WHERE Sequence = 2");

        var result = await AuditChain.VerifyAsync(_db);

        Assert.False(result.Intact);
        Assert.Contains("entry 2 was removed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_swapped_and_renumbered_with_fresh_hashes_break_the_links()
    {
        // Entries 2 and 3 swap places, each rehashed for its new number: their own hashes hold, their links do not.
        var second = await _db.Audit.AsNoTracking().SingleAsync(a => a.Sequence == 2);
        var third = await _db.Audit.AsNoTracking().SingleAsync(a => a.Sequence == 3);
        await _db.Audit.Where(a => a.Sequence == 2 || a.Sequence == 3).ExecuteDeleteAsync();
        foreach (var (entry, sequence) in new[] { (third, 2L), (second, 3L) })
        {
            entry.Sequence = sequence;
            entry.Hash = AuditChain.HashOf(entry);
            _db.Audit.Add(entry);
        }
        await _db.SaveChangesAsync();

        var result = await AuditChain.VerifyAsync(_db);

        Assert.False(result.Intact);
        Assert.Equal(2, result.Entry);
        Assert.Contains("reordered", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_purged_by_retention_leave_the_rest_verifiable()
    {
        await _db.Database.ExecuteSqlRawAsync("DELETE FROM Audit WHERE Sequence <= 2");

        Assert.True((await AuditChain.VerifyAsync(_db)).Intact);
    }

    [Fact]
    public void An_entry_without_a_target_hashes_as_entries_made_before_targets_existed()
    {
        var entry = Entry(7);
        entry.PreviousHash = AuditChain.Genesis;

        // The formula of the audit's first version, written out: chains stored by it still verify.
        var before = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new object?[]
        {
            entry.Sequence, entry.TransactionId, entry.At.ToUnixTimeMilliseconds(), entry.Consumer, entry.Officer, entry.Purpose,
            entry.Operation, entry.SubjectHash, entry.Outcome.ToString(), entry.PreviousHash,
        })));

        Assert.Equal(before, AuditChain.HashOf(entry));
    }

    [Fact]
    public async Task Changing_the_consumer_an_operator_acted_on_is_named_as_an_alteration()
    {
        var registration = new AuditEntry
        {
            TransactionId = Guid.CreateVersion7(),
            At = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_100),
            Consumer = "lgsp.operator",
            Operation = "lgsp.register-consumer",
            Target = "hospital.new",
            Outcome = Outcome.Succeeded,
        };
        AuditChain.Link([registration], await AuditChain.HeadAsync(_db));
        _db.Audit.Add(registration);
        await _db.SaveChangesAsync();
        Assert.True((await AuditChain.VerifyAsync(_db)).Intact);

        await _db.Database.ExecuteSqlRawAsync("UPDATE Audit SET Target = 'hospital.other' WHERE Sequence = 6");

        var result = await AuditChain.VerifyAsync(_db);
        Assert.False(result.Intact);
        Assert.Equal(6, result.Entry);
    }

    private static AuditEntry Entry(int i) => new()
    {
        TransactionId = Guid.CreateVersion7(),
        At = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000 + i),
        Consumer = "hospital.bv-da-nang",
        Officer = "nurse-042",
        Purpose = "kcb.check-in",
        Operation = "health-insurance.check-card",
        SubjectHash = $"{i:x64}",
        Outcome = Outcome.Succeeded,
    };
}
