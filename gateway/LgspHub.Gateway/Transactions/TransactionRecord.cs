using LgspHub.Contracts;

namespace LgspHub.Gateway.Transactions;

/// <summary>
/// One gateway transaction, X-Road's operational-monitoring record: times, parties, statuses and
/// sizes, never bodies or personal data (the path is kept as its route template).
/// </summary>
public sealed class TransactionRecord
{
    public Guid Id { get; init; }
    public required string TraceId { get; init; }
    public DateTimeOffset RequestInAt { get; init; }
    public DateTimeOffset ResponseOutAt { get; init; }
    public string? Consumer { get; init; }
    public required string Service { get; init; }
    public required string Operation { get; init; }
    public required string Method { get; init; }
    public int GatewayStatus { get; init; }
    /// <summary>Null when the request never reached an agency.</summary>
    public int? BackendStatus { get; init; }
    public double GatewayMilliseconds { get; init; }
    public double? BackendMilliseconds { get; init; }
    public long RequestBytes { get; init; }
    public long ResponseBytes { get; init; }
    public Outcome Outcome { get; init; }
    public string? FaultCode { get; init; }
}

/// <summary>
/// One person touched by one access to personal data: who (consumer, officer), why (purpose), which operation,
/// when, the outcome, and the person as a keyed hash: an auditor holding a personal ID finds every access to
/// that person, but the log alone reveals no one. An access that touched several people (mother and father,
/// buyer and seller, the owners an answer lists) has an entry for each; one that named no one has one entry
/// with no subject. An operator's registration or revocation of a consumer system is an entry too, naming the
/// operator as <see cref="Consumer"/> and the consumer acted on as <see cref="Target"/>. Entries form a hash chain in <see cref="Sequence"/> order (<see cref="AuditChain"/>).
/// </summary>
public sealed class AuditEntry
{
    /// <summary>The entry's place in the chain, given by the writer: 1, 2, 3 … with no gaps.</summary>
    public long Sequence { get; set; }
    public Guid TransactionId { get; init; }
    /// <summary>To the millisecond, in UTC: what is stored is exactly what was hashed.</summary>
    public DateTimeOffset At { get; init; }
    public required string Consumer { get; init; }
    public string? Officer { get; init; }
    public string? Purpose { get; init; }
    public required string Operation { get; init; }
    public string? SubjectHash { get; init; }
    /// <summary>
    /// The consumer system an operator's action acted on (<c>lgsp.register-consumer</c>, <c>lgsp.revoke-consumer</c>):
    /// who did what to which consumer; null for accesses to personal data.
    /// </summary>
    public string? Target { get; init; }
    public Outcome Outcome { get; init; }
    /// <summary>The hash of the entry before this one (<see cref="AuditChain.Genesis"/> for the first).</summary>
    public string PreviousHash { get; set; } = "";
    /// <summary>SHA-256 of this entry's fields and <see cref="PreviousHash"/>.</summary>
    public string Hash { get; set; } = "";
}
