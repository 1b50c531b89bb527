using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Gateway.Transactions;

/// <summary>
/// The audit as evidence, chained as X-Road's message log is: each entry carries the hash of the one before,
/// so an entry altered, removed or moved breaks the chain where it happened. The chain proves order and
/// integrity against changes made without recomputing every later hash; the head (sequence and hash, which name
/// no one) is logged as it moves on, so a copy outside the database can anchor it.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>
    /// SHA-256 over the entry's fields as a JSON array (unambiguous whatever the fields hold) and the hash before it.
    /// <see cref="AuditEntry.Target"/> joins the array only when set, so entries hashed before it existed still verify.
    /// </summary>
    public static string HashOf(AuditEntry entry) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new object?[]
        {
            entry.Sequence, entry.TransactionId, entry.At.ToUnixTimeMilliseconds(), entry.Consumer, entry.Officer, entry.Purpose,
            entry.Operation, entry.SubjectHash, entry.Outcome.ToString(), entry.PreviousHash,
        }.Concat(entry.Target is null ? [] : [entry.Target]).ToArray())));

    /// <summary>Gives the entries their places after <paramref name="head"/>; returns the new head.</summary>
    public static (long Sequence, string Hash) Link(IEnumerable<AuditEntry> entries, (long Sequence, string Hash) head)
    {
        foreach (var entry in entries)
        {
            entry.Sequence = head.Sequence + 1;
            entry.PreviousHash = head.Hash;
            entry.Hash = HashOf(entry);
            head = (entry.Sequence, entry.Hash);
        }
        return head;
    }

    public static async Task<(long Sequence, string Hash)> HeadAsync(GatewayDb db, CancellationToken cancellationToken = default) =>
        await db.Audit.AsNoTracking().OrderByDescending(a => a.Sequence).Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(cancellationToken)
            is { } last ? (last.Sequence, last.Hash) : (0, Genesis);

    /// <summary>
    /// Walks the chain from its first kept entry (retention removes the oldest; the first kept one's link to them
    /// is taken as given) and names the first entry that breaks it.
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(GatewayDb db, CancellationToken cancellationToken = default)
    {
        AuditEntry? previous = null;
        long count = 0;
        await foreach (var entry in db.Audit.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (HashOf(entry) != entry.Hash)
                return new(false, count, entry.Sequence, $"entry {entry.Sequence} (transaction {entry.TransactionId}) was altered: its hash does not match its fields");
            if (previous is not null && entry.Sequence != previous.Sequence + 1)
                return new(false, count, entry.Sequence, entry.Sequence - previous.Sequence == 2
                    ? $"entry {previous.Sequence + 1} was removed (the chain goes from {previous.Sequence} to {entry.Sequence})"
                    : $"entries {previous.Sequence + 1} to {entry.Sequence - 1} were removed (the chain goes from {previous.Sequence} to {entry.Sequence})");
            if (previous is not null && entry.PreviousHash != previous.Hash)
                return new(false, count, entry.Sequence, $"entry {entry.Sequence} (transaction {entry.TransactionId}) does not follow entry {previous.Sequence}: entries were reordered or replaced");
            if (previous is null && entry.Sequence == 1 && entry.PreviousHash != Genesis)
                return new(false, count, entry.Sequence, "entry 1 does not start the chain");
            previous = entry;
            count++;
        }
        return new(true, count, previous?.Sequence, previous is null ? "the audit is empty" : $"{count} entries chained, up to entry {previous.Sequence} ({previous.Hash})");
    }
}

/// <param name="Entry">The entry where the chain breaks; when intact, its last entry.</param>
public sealed record AuditVerification(bool Intact, long Verified, long? Entry, string Message);
