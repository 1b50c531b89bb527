using System.Diagnostics;
using System.Text.Json;
using LgspHub.Contracts;
using Microsoft.EntityFrameworkCore;

namespace LgspHub.Messaging.Outbox;

/// <summary>A database with the outbox's tables: what <see cref="OutboxDispatcher{TDb}"/> reads and leases.</summary>
public interface IHasOutbox
{
    DbSet<OutboxMessage> Outbox { get; }

    DbSet<OutboxLease> OutboxLeases { get; }
}

/// <summary>An integration event saved in the same transaction as the change it announces.</summary>
public sealed class OutboxMessage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public long Sequence { get; private set; }

    /// <summary>Becomes the MassTransit message id: a message published twice after a crash carries the same id.</summary>
    public Guid MessageId { get; private set; }

    public string MessageType { get; private set; } = "";

    public string Body { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Why the message can never be published (its type is gone, its body unreadable); it is set aside, not retried.</summary>
    public string? Error { get; set; }

    /// <summary>The W3C traceparent of the change, so the publish joins the trace of the request that caused it.</summary>
    public string? TraceParent { get; private set; }

    public static OutboxMessage For<T>(T message, DateTimeOffset now) where T : class => new()
    {
        MessageId = Guid.NewGuid(),
        MessageType = typeof(T).FullName!,
        Body = JsonSerializer.Serialize(message, Json),
        CreatedAt = now,
        TraceParent = Activity.Current?.Id,
    };

    public (object Message, Type Type) Deserialize()
    {
        // Only contract types travel through the outbox.
        var type = typeof(BirthDeclared).Assembly.GetType(MessageType, throwOnError: true)!;
        return (JsonSerializer.Deserialize(Body, type, Json)!, type);
    }
}

/// <summary>Which instance of an agency publishes its database's outbox, until when (one row).</summary>
public sealed class OutboxLease
{
    public const int TheLease = 1;

    public int Id { get; set; }
    public required string Holder { get; set; }
    public DateTimeOffset Until { get; set; }
}
